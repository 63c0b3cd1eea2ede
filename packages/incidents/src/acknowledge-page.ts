import { notificationJobId, type AlertNotification } from '@denyscope/alerts';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { Queue } from 'bullmq';
import { acknowledge } from './alert-history.js';
import { ALERT_JOB_OPTIONS } from './alerts-queue-output.js';
import type { IncidentStore } from './incident-store.js';
import { toAlert } from './incident.js';

/** What became of an acknowledgement: recorded only, or also passed on to the sinks. */
export type AcknowledgeOutcome =
  | { found: false }
  | { found: true; passedOn: true }
  /** Recorded; nothing is paging for it (resolved, or no longer in the incident store). */
  | { found: true; passedOn: false; reason: string };

/**
 * Records on-call's acknowledgement (ClickHouse `alerts`, who and why) and, while the incident is
 * firing, puts an `acknowledged` notification on the alerts queue: the notifier sends PagerDuty
 * the Events v2 `acknowledge` for the incident's dedup key (the page stops escalating) and logs
 * it; Slack and the webhook are not told. The job ID `<alert_id>.v<version>.ack` makes a second
 * ack of the same state a no-op.
 */
export async function acknowledgeIncident(
  deps: {
    clickhouse: ClickHouseClient;
    store: Pick<IncidentStore, 'listFiring'>;
    alertsQueue: Pick<Queue<AlertNotification>, 'add'>;
  },
  alertId: string,
  by: string,
  note: string,
): Promise<AcknowledgeOutcome> {
  const recorded = await acknowledge(deps.clickhouse, alertId, by, note);
  if (recorded === null) return { found: false };
  // By alert ID among the firing incidents (bounded by the per-rule cap): the recorded subject
  // carries context fields (an account) that the incident's own key leaves out.
  const state = (await deps.store.listFiring()).find((s) => s.alertId === alertId);
  if (state === undefined) {
    return { found: true, passedOn: false, reason: 'the incident is not firing' };
  }
  const notification: AlertNotification = {
    alert: toAlert(state),
    transition: 'acknowledged',
    version: state.version,
  };
  await deps.alertsQueue.add('alert', notification, {
    ...ALERT_JOB_OPTIONS,
    jobId: notificationJobId(notification),
  });
  return { found: true, passedOn: true };
}
