/**
 * BullMQ queue names. The prefix (config `BULLMQ_PREFIX`, default `denyscope`) separates
 * deployments and test runs sharing one Redis.
 */
export const QUEUES = {
  /** Detector → notifier: one job per incident state change (AlertNotification). */
  alerts: 'alerts',
  /** Detector evaluation ticks (repeatable job). */
  detect: 'detect',
  /** Notifier: one queue per sink, so a slow or failing sink holds back only itself. */
  sink: (sink: string) => `sink-${sink}`,
} as const;

const DAY_S = 24 * 3600;

/**
 * How long BullMQ keeps finished jobs of the alerts and sink queues, by age (seconds) and by count
 * (whichever is reached first). While a finished job is kept, adding one with the same ID is a
 * no-op: that is what makes a retried tick, a second detector or notifier, or a restart harmless,
 * so the age is the dedup window (7 days; failures 28–30 days, to be inspected). The count keeps a
 * flood from growing Redis without bound for that long: 50,000 jobs of a few KB each are a few
 * hundred MB at most per queue. A job dropped early by the count loses only the first line of
 * dedup: the notifier's delivery ledger (31 days) still skips a version a sink already took.
 */
export const JOB_RETENTION = Object.freeze({
  completed: Object.freeze({ age: 7 * DAY_S, count: 50_000 }),
  failed: Object.freeze({ age: 30 * DAY_S, count: 50_000 }),
});
