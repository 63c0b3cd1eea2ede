import type { AlertNotification } from '@denyscope/alerts';
import { DelayedError, type Job, type JobState } from 'bullmq';

export type JobStateOf = (jobId: string) => Promise<JobState | 'unknown'>;

/**
 * The version a notification is delivered after: state change n after n - 1 (the first after
 * none), an acknowledgement of n after n itself, the page it acknowledges.
 */
export function predecessorVersion({
  transition,
  version,
}: Pick<AlertNotification, 'transition' | 'version'>): number | null {
  const previous = transition === 'acknowledged' ? version : version - 1;
  return previous >= 1 ? previous : null;
}

/** How long a state change waits before it looks at its predecessor again. */
export const ORDER_WAIT_MS = 1_000;

/** Will still run (or is running): a newer state change of the same incident waits for it. */
export const NOT_STARTED_OR_RUNNING: ReadonlySet<string> = new Set([
  'active',
  'waiting',
  'prioritized',
  'waiting-children',
]);

/** Same, plus 'delayed': a dispatch retried after a Redis error is still to come. */
export const NOT_FINISHED: ReadonlySet<string> = new Set([...NOT_STARTED_OR_RUNNING, 'delayed']);

/**
 * Keeps one incident's state changes in order where a job could overtake its predecessor for no
 * reason but bad luck. When Redis goes away just after BullMQ's moveToActive ran but before its
 * reply arrived, the job stays 'active' with nobody working on it until the stalled-job check
 * moves it back, 30–90 s later (lockDuration + two stalledInterval rounds). The next state change
 * of that incident would go out meanwhile, and the delivery ledger would then skip the older one
 * as superseded: an 'opened' that never reaches anyone (found by the chaos suite, Redis down).
 *
 * Throws BullMQ's DelayedError after moving `job` back to delayed (this does not use up an
 * attempt) when the predecessor's state is in `pending`; returns otherwise.
 */
export async function waitForPredecessor(
  job: Job,
  token: string | undefined,
  predecessor: { state: JobState | 'unknown'; pending: ReadonlySet<string> },
): Promise<void> {
  if (token === undefined || !predecessor.pending.has(predecessor.state)) return;
  await job.moveToDelayed(Date.now() + ORDER_WAIT_MS, token);
  throw new DelayedError();
}
