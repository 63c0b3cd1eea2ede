import { notificationJobId, type AlertNotification } from '@denyscope/alerts';
import type { SinkId } from './sinks/sink.js';

/**
 * The job ID of one notification's delivery to one sink. Adding a job whose ID exists is a no-op,
 * so a retried dispatch or a restarted notifier never queues a second delivery (for as long as the
 * finished job is kept: see removeOnComplete in dispatcher.ts).
 *
 * BullMQ rejects custom IDs containing ':' unless they split into exactly three parts (a
 * compatibility rule for old repeatable jobs, `Job.validateOptions`), so the sink is joined with
 * '.', and any ':' an alert_id might carry is percent-encoded. encodeURIComponent is reversible,
 * so two notifications never share an ID.
 */
export function sinkJobId(
  notification: Pick<AlertNotification, 'alert' | 'version'>,
  sink: SinkId,
): string {
  return `${encodeURIComponent(notificationJobId(notification))}.${sink}`;
}
