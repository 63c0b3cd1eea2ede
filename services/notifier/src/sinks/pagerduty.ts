import { createHash } from 'node:crypto';
import {
  plainText,
  plainTextDeep,
  type Alert,
  type AlertNotification,
  type Severity,
} from '@denyscope/alerts';
import { runbookUrl } from './runbook-link.js';
import type { SinkFactory } from './sink.js';

/** PagerDuty Events API v2 severities. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

export type PagerDutyEvent =
  | {
      routing_key: string;
      event_action: 'trigger';
      dedup_key: string;
      payload: {
        summary: string;
        source: string;
        severity: PagerDutySeverity;
        timestamp: string;
        component: string;
        group: string;
        class: string;
        custom_details: Alert;
      };
      links?: { href: string; text: string }[];
    }
  | { routing_key: string; event_action: 'resolve' | 'acknowledge'; dedup_key: string };

const SUMMARY_MAX = 1024;
const DEDUP_KEY_MAX = 255;

/**
 * Every value from the alert is untrusted. PagerDuty shows `summary`, `group` and the
 * custom_details as plain text (in its apps, e-mails, SMS and voice), so they go through
 * `plainText`: one line, no control characters, bidi overrides or lone surrogates; the summary is
 * cut to PagerDuty's 1024 characters without splitting a surrogate pair.
 *
 * Opened and escalated trigger (PagerDuty folds a trigger with an open dedup_key into the same
 * incident and updates it); resolved resolves; on-call's ack (`denyscope alerts ack`, the API)
 * acknowledges, which stops the escalation. The dedup_key is the incident's alert_id.
 */
export function pagerDutyEvent(
  { alert, transition }: AlertNotification,
  routingKey: string,
  runbookBaseUrl?: string,
): PagerDutyEvent {
  const dedupKey = dedupKeyOf(alert.alert_id);
  if (transition === 'resolved') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  if (transition === 'acknowledged') {
    return { routing_key: routingKey, event_action: 'acknowledge', dedup_key: dedupKey };
  }
  const summary = `[${alert.severity.toUpperCase()}] ${alert.rule} in ${alert.env}: ${alert.summary}`;
  const group = plainText(alert.env);
  const link = runbookUrl(alert.runbook, runbookBaseUrl);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: plainText(summary, SUMMARY_MAX),
      source: 'denyscope',
      severity: PAGERDUTY_SEVERITY[alert.severity],
      timestamp: alert.last_seen,
      component: alert.rule,
      group,
      class: alert.rule,
      custom_details: plainTextDeep(alert),
    },
    ...(link === undefined ? {} : { links: [{ href: link, text: `Runbook: ${alert.rule}` }] }),
  };
}

/** PagerDuty caps dedup_key at 255 characters; a longer alert_id is hashed (stably) to fit. */
function dedupKeyOf(alertId: string): string {
  if (alertId.length <= DEDUP_KEY_MAX) return alertId;
  return `sha256:${createHash('sha256').update(alertId).digest('hex')}`;
}

export const createPagerDutySink: SinkFactory<'pagerduty'> = (
  settings,
  { post, runbookBaseUrl },
) => ({
  target: new URL(settings.eventsUrl).host,
  deliver: (notification) =>
    post({
      url: settings.eventsUrl,
      body: JSON.stringify(pagerDutyEvent(notification, settings.routingKey, runbookBaseUrl)),
    }),
});
