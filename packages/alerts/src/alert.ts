import { z } from 'zod';
import { RULE_IDS } from './rule-ids.js';
import { SEVERITIES } from './severity.js';

const rfc3339 = z.iso.datetime({ offset: true });

/**
 * The alert contract, v1: what every sink receives (Slack and PagerDuty get it rendered) and what
 * `denyscope replay` prints, one per line. `subject` holds only the fields that identify who the
 * rule is about. Evidence never names another account's IDs or resources, only counts.
 */
export const alertSchema = z.object({
  alert_id: z.string().min(1),
  rule: z.enum(RULE_IDS),
  severity: z.enum(SEVERITIES),
  status: z.enum(['firing', 'resolved']),
  subject: z.object({
    key_id: z.string().optional(),
    account_id: z.string().optional(),
    client_ip: z.string().optional(),
    /** Operational rules (pipeline-health): the part of denyscope concerned, e.g. `rule:cross-tenant`. */
    component: z.string().optional(),
  }),
  env: z.string(),
  window: z.object({ start: rfc3339, end: rfc3339 }),
  first_seen: rfc3339,
  last_seen: rfc3339,
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  runbook: z.string(),
});

export type Alert = z.infer<typeof alertSchema>;
export type AlertStatus = Alert['status'];

/** What changed: sinks are told only on these, never once per evaluation. */
export const TRANSITIONS = ['opened', 'escalated', 'resolved'] as const;
export type Transition = (typeof TRANSITIONS)[number];

/**
 * What the alerts queue carries: the state changes, and on-call's acknowledgement of an incident
 * (`denyscope alerts ack`, the API's ack), which the sinks that know the notion (PagerDuty's
 * Events v2 `acknowledge`) pass on so the page stops escalating. Not a state change: the
 * incident's version stays, and the other sinks are not told.
 */
export const NOTIFICATION_TRANSITIONS = [...TRANSITIONS, 'acknowledged'] as const;
export type NotificationTransition = (typeof NOTIFICATION_TRANSITIONS)[number];

/**
 * A job on the alerts queue: one incident state change. `version` counts the incident's state
 * changes, so `${alert_id}.v${version}` names this change uniquely and is the BullMQ job ID that
 * makes a repeated enqueue (second detector, retried job) a no-op. (BullMQ refuses custom job
 * IDs containing ':', hence the dots.)
 */
export const alertNotificationSchema = z.object({
  alert: alertSchema,
  transition: z.enum(NOTIFICATION_TRANSITIONS),
  version: z.int().min(1),
});

export type AlertNotification = z.infer<typeof alertNotificationSchema>;

/** `<alert_id>.v<version>`; an acknowledgement of that version adds `.ack`. */
export function notificationJobId(
  notification: Pick<AlertNotification, 'alert' | 'version'> & {
    transition?: NotificationTransition;
  },
): string {
  const id = `${notification.alert.alert_id}.v${notification.version}`;
  return notification.transition === 'acknowledged' ? `${id}.ack` : id;
}
