import { backoffDelay } from '@denyscope/runtime';
import { SinkHttpError } from './errors.js';

/**
 * The backoff type on sink jobs. BullMQ only calls a worker's custom `backoffStrategy` for types
 * that are not built in, so exponential backoff that also honours `Retry-After` needs its own name.
 */
export const SINK_BACKOFF_TYPE = 'exponential-retry-after';

const MAX_DELAY_MS = 60 * 60 * 1000;

/**
 * Delay before the next attempt: `baseMs`, doubling per attempt (BullMQ's `exponential`), but
 * never sooner than the sink asked with `Retry-After`. `attemptsMade` counts the failed attempts
 * including this one, as BullMQ passes it (1 on the first retry).
 */
export function retryDelayMs(attemptsMade: number, baseMs: number, error: unknown): number {
  const exponential = backoffDelay(attemptsMade, { initialMs: baseMs, maxMs: MAX_DELAY_MS });
  const retryAfter = error instanceof SinkHttpError ? (error.retryAfterMs ?? 0) : 0;
  return Math.round(Math.min(MAX_DELAY_MS, Math.max(exponential, retryAfter)));
}
