/**
 * The scorer's definitions, kept apart so that they can be read and tested on their own:
 *   - a *page* is an alert state change that opens or escalates an incident at a severity other
 *     than `info` (PagerDuty never receives info; everything else may reach a person);
 *   - an alert *matches* a label when it names one of the label's keys, or its `client_ip`
 *     overlaps one of the label's addresses or networks, and its evidence span
 *     [first_seen, last_seen] overlaps the label's span widened by 30 minutes on both sides.
 */
import { type Alert, severityRank } from '@denyscope/alerts';
import type { Label } from '../traffic/labels.js';
import { sameClients } from './cidr.js';

/** Alerts may trail or (with long windows) precede the events of an episode by this much. */
export const MATCH_SLACK_MS = 30 * 60_000;

/**
 * The lines of `alerts` (in output order) that page: the first firing line of each incident, and
 * any later firing line whose severity is above every earlier one of that incident — unless the
 * severity is `info`.
 */
export function pagesOf(alerts: readonly Alert[]): Alert[] {
  const highest = new Map<string, number>();
  const pages: Alert[] = [];
  for (const alert of alerts) {
    if (alert.status !== 'firing') continue;
    const before = highest.get(alert.alert_id);
    const rank = severityRank(alert.severity);
    if (before !== undefined && rank <= before) continue;
    highest.set(alert.alert_id, rank);
    if (alert.severity !== 'info') pages.push(alert);
  }
  return pages;
}

export function subjectMatches(alert: Alert, label: Label): boolean {
  const { key_id: keyId, client_ip: clientIp } = alert.subject;
  if (keyId !== undefined && label.subjects.key_ids.includes(keyId)) return true;
  if (clientIp !== undefined) {
    return label.subjects.client_ips.some((ip) => sameClients(clientIp, ip));
  }
  return false;
}

export function timeOverlaps(alert: Alert, label: Label, slackMs = MATCH_SLACK_MS): boolean {
  const first = Date.parse(alert.first_seen);
  const last = Date.parse(alert.last_seen);
  const start = Date.parse(label.start) - slackMs;
  const end = Date.parse(label.end) + slackMs;
  return first <= end && last >= start;
}

export function matches(alert: Alert, label: Label, slackMs = MATCH_SLACK_MS): boolean {
  return subjectMatches(alert, label) && timeOverlaps(alert, label, slackMs);
}

/** Event time from the label's first event to the end of the window the page was decided on. */
export function timeToDetect(page: Alert, label: Label): number {
  return Math.max(0, Date.parse(page.window.end) - Date.parse(label.start));
}
