/**
 * The one exponential backoff of the repo. Attempt 1 waits `initialMs`, every further attempt
 * doubles it, and no wait exceeds `maxMs`: with 1 s and 30 s, attempts 1, 2, 3, … wait 1, 2, 4,
 * 8, 16, 30, 30 s. Attempts below 1 count as 1.
 *
 * `jitter: true` spreads instances that failed together (a broker or database coming back): the
 * delay is then drawn uniformly from [ceiling / 2, ceiling] ("equal jitter", AWS architecture
 * blog), where the ceiling is the delay without jitter. Only ingest's retries ask for it; the
 * supervisor, the Kafka clients and the notifier want the exact schedule.
 */
export interface BackoffOptions {
  /** The delay of attempt 1. */
  initialMs: number;
  /** The cap of the doubling delay. */
  maxMs: number;
  /** Draw the delay from [ceiling / 2, ceiling] instead of waiting the ceiling exactly. */
  jitter?: boolean;
}

/** Past this many doublings every realistic cap is reached; it keeps 2 ** n finite. */
const MAX_DOUBLINGS = 30;

/** Delay in milliseconds before attempt `attempt` (1-based); see the module header. */
export function backoffDelay(
  attempt: number,
  { initialMs, maxMs, jitter = false }: BackoffOptions,
): number {
  const doublings = Math.max(0, Math.min(attempt - 1, MAX_DOUBLINGS));
  const ceiling = Math.min(maxMs, initialMs * 2 ** doublings);
  return jitter ? Math.round(ceiling / 2 + (Math.random() * ceiling) / 2) : ceiling;
}
