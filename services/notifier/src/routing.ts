import {
  isAtLeast,
  type Alert,
  type NotificationTransition,
  type Severity,
} from '@denyscope/alerts';
import type { NotifierConfig, SinkId } from './sinks/sink.js';

/**
 * Floors that configuration cannot lower. `info` alerts (the `stale-resource-ids` rule: "reports
 * only, never pages") never reach PagerDuty, even with NOTIFY_PAGERDUTY_MIN_SEVERITY=info.
 */
export const SEVERITY_FLOOR: Partial<Record<SinkId, Severity>> = { pagerduty: 'low' };

/**
 * Sinks told about an acknowledgement: PagerDuty (Events v2 `acknowledge` stops the escalation)
 * and the log (an audit line). Slack and the webhook see state changes only.
 */
export const ACKNOWLEDGING_SINKS: ReadonlySet<SinkId> = new Set<SinkId>(['pagerduty', 'log']);

/**
 * The configured sinks that take this alert: severity at or above the sink's minimum (and floor),
 * and the rule in the sink's rule list. A resolved notification carries the incident's severity,
 * so it goes to the same sinks as the notification that opened or escalated it.
 */
export function chooseSinks(
  alert: Pick<Alert, 'severity' | 'rule'>,
  sinks: NotifierConfig['sinks'],
  transition: NotificationTransition = 'opened',
): SinkId[] {
  const chosen: SinkId[] = [];
  for (const id of Object.keys(sinks) as SinkId[]) {
    const route = sinks[id];
    if (route === undefined) continue;
    if (transition === 'acknowledged' && !ACKNOWLEDGING_SINKS.has(id)) continue;
    const floor = SEVERITY_FLOOR[id];
    if (floor !== undefined && !isAtLeast(alert.severity, floor)) continue;
    if (!isAtLeast(alert.severity, route.minSeverity)) continue;
    if (!route.rules.includes(alert.rule)) continue;
    chosen.push(id);
  }
  return chosen;
}
