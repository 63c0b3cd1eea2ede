import type { BackoffOptions as DelayOptions } from '@denyscope/runtime';

/** The restart schedule: backoffDelay (@denyscope/runtime) of the restart number, no jitter. */
export interface BackoffOptions extends DelayOptions {
  /** First restart delay. Default 1 s. */
  initialMs: number;
  /** Cap of the doubling delay. Default 30 s. */
  maxMs: number;
  /** A child that ran this long before exiting counts as healthy: its next delay starts over. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 1_000,
  maxMs: 30_000,
  resetAfterMs: 60_000,
};
