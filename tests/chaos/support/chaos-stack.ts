import { privateStack, type StackPart } from '@denyscope/testkit';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHAOS_STACK_SETTINGS } from './stack-settings.js';

/** The suite's private stack (started by global-setup.ts; scenarios stop and start its parts). */
export const chaosStack = privateStack(CHAOS_STACK_SETTINGS);

/**
 * Stops `part` of the private stack, keeps it down for `ms` (counted from when it was gone) and
 * starts it again; resolves with how long it was really down.
 */
export async function outage(part: StackPart, ms: number): Promise<number> {
  await chaosStack.down(part);
  const downAt = Date.now();
  await sleep(ms);
  await chaosStack.up(part);
  return Date.now() - downAt;
}
