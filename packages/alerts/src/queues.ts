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
