import type { Alert, AlertNotification, NotificationTransition } from '@denyscope/alerts';

/** A well-formed firing alert; tests override what they are about. */
export function alertFixture(overrides: Partial<Alert> = {}): Alert {
  return {
    alert_id: 'id-enumeration-5f2c',
    rule: 'id-enumeration',
    severity: 'high',
    status: 'firing',
    subject: { key_id: 'key_1', account_id: 'acct_1' },
    env: 'production',
    window: { start: '2026-11-27T10:00:00Z', end: '2026-11-27T10:05:00Z' },
    first_seen: '2026-11-27T10:00:03Z',
    last_seen: '2026-11-27T10:04:59Z',
    summary: 'key_1 was denied on 212 distinct invoice IDs in 5 min',
    evidence: { distinct_ids: 212, deny_ratio: 0.93, sequential: false },
    runbook: 'docs/runbooks/id-enumeration.md',
    ...overrides,
  };
}

export function notificationFixture(
  transition: NotificationTransition,
  version: number,
  overrides: Partial<Alert> = {},
): AlertNotification {
  return {
    alert: alertFixture({
      status: transition === 'resolved' ? 'resolved' : 'firing',
      ...overrides,
    }),
    transition,
    version,
  };
}
