import { describe, expect, it } from 'vitest';
import { alertSchema, isAtLeast, notificationJobId, severityRank, type Alert } from './index.js';

const alert: Alert = {
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
  evidence: { distinct_ids: 212 },
  runbook: 'docs/runbooks/id-enumeration.md',
};

describe('alert contract', () => {
  it('accepts a well-formed alert and rejects unknown rules and severities', () => {
    expect(alertSchema.parse(alert)).toEqual(alert);
    expect(alertSchema.safeParse({ ...alert, rule: 'made-up' }).success).toBe(false);
    expect(alertSchema.safeParse({ ...alert, severity: 'urgent' }).success).toBe(false);
    expect(alertSchema.safeParse({ ...alert, first_seen: 'yesterday' }).success).toBe(false);
  });

  it('orders severities and names each state change uniquely', () => {
    expect(severityRank('critical')).toBeGreaterThan(severityRank('high'));
    expect(isAtLeast('medium', 'medium')).toBe(true);
    expect(isAtLeast('low', 'medium')).toBe(false);
    expect(notificationJobId({ alert, version: 3 })).toBe('id-enumeration-5f2c.v3');
  });
});
