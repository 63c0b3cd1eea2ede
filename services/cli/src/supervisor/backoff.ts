export interface BackoffOptions {
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

/** Delay before restart number `attempt` (1-based): initial, ×2 each time, capped. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(options.maxMs, options.initialMs * 2 ** exponent);
}
