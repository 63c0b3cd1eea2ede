import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until `done(value)` holds, then returns the value; on timeout throws with the last
 * value seen, so a failing test says how far it got instead of only "timed out".
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, everyMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(everyMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}${
      lastError instanceof Error ? `; last error: ${lastError.message}` : ''
    }`,
  );
}
