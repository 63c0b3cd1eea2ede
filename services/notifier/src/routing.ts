import { isAtLeast, type Alert, type Severity } from '@denyscope/alerts';
import type { NotifierConfig, SinkId } from './sinks/sink.js';

/**
 * Floors that configuration cannot lower. `info` alerts (the `stale-resource-ids` rule: "reports
 * only, never pages") never reach PagerDuty, even with NOTIFY_PAGERDUTY_MIN_SEVERITY=info.
 */
export const SEVERITY_FLOOR: Partial<Record<SinkId, Severity>> = { pagerduty: 'low' };

/**
 * The configured sinks that take this alert: severity at or above the sink's minimum (and floor),
 * and the rule in the sink's rule list. A resolved notification carries the incident's severity,
 * so it goes to the same sinks as the notification that opened or escalated it.
 */
export function chooseSinks(
  alert: Pick<Alert, 'severity' | 'rule'>,
  sinks: NotifierConfig['sinks'],
): SinkId[] {
  const chosen: SinkId[] = [];
  for (const id of Object.keys(sinks) as SinkId[]) {
    const route = sinks[id];
    if (route === undefined) continue;
    const floor = SEVERITY_FLOOR[id];
    if (floor !== undefined && !isAtLeast(alert.severity, floor)) continue;
    if (!isAtLeast(alert.severity, route.minSeverity)) continue;
    if (!route.rules.includes(alert.rule)) continue;
    chosen.push(id);
  }
  return chosen;
}
