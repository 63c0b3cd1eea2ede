import {
  JOB_RETENTION,
  QUEUES,
  notificationJobId,
  type AlertNotification,
} from '@denyscope/alerts';
import type { Queue } from 'bullmq';
import { toAlert, type IncidentTransition } from './incident.js';
import type { TransitionOutput } from './outputs.js';

/** How a notification is put on the alerts queue (by the detector, and by an acknowledgement). */
export const ALERT_JOB_OPTIONS = {
  // A dispatch that fails on a passing Redis or notifier error is tried again.
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  // Finished jobs are kept (by age and count): while a job is kept, adding one with the same
  // ID is a no-op, which is what makes a retried tick or a second detector harmless.
  removeOnComplete: { ...JOB_RETENTION.completed },
  removeOnFail: { ...JOB_RETENTION.failed },
} as const;

/** Hands each (unmuted) state change to the notifier through the alerts queue. */
export class AlertsQueueOutput implements TransitionOutput {
  readonly name = QUEUES.alerts;

  constructor(private readonly queue: Queue<AlertNotification>) {}

  async write({ transition, state }: IncidentTransition, muted: boolean): Promise<void> {
    if (muted) return;
    const notification: AlertNotification = {
      alert: toAlert(state),
      transition,
      version: state.version,
    };
    await this.queue.add('alert', notification, {
      ...ALERT_JOB_OPTIONS,
      jobId: notificationJobId(notification),
    });
  }
}
