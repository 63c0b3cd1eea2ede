import { chaosStack } from './chaos-stack.js';

/**
 * Starts the private stack before the chaos files run and stops it afterwards (it reuses parts
 * already running, so a kept stack makes reruns faster: CHAOS_KEEP_STACK=1 skips the stop).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const started = Date.now();
  await chaosStack.up();
  console.info(
    `chaos: private stack up in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(${Object.values(chaosStack.endpoints).join(' ')}; state in ${chaosStack.settings.DENYSCOPE_STACK_DIR})`,
  );
  return async () => {
    if (process.env.CHAOS_KEEP_STACK === '1') return;
    await chaosStack.down();
  };
}
