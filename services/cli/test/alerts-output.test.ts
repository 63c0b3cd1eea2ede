import { describe, expect, it } from 'vitest';
import { HOSTILE_CORPUS } from '@denyscope/alerts';
import type { AlertSummary } from '@denyscope/incidents';
import { alertListEntry, alertListJson } from '../src/commands/alerts.js';
import { expectInertLine } from './terminal-output.test-helpers.js';

function row(overrides: Partial<AlertSummary> = {}): AlertSummary {
  return {
    alert_id: 'id-enumeration-5f2c',
    rule: 'id-enumeration',
    severity: 'high',
    status: 'firing',
    key_id: 'key_1',
    account_id: 'acct_1',
    client_ip: '',
    component: '',
    env: 'production',
    summary: 'key_1 was denied on 212 distinct invoice IDs in 5 min',
    version: 1,
    muted: 0,
    acknowledged: 1,
    first_seen: '2026-11-27 10:00:03',
    last_seen: '2026-11-27 10:04:59',
    first_seen_unix: 1795773603,
    last_seen_unix: 1795773899,
    ...overrides,
  };
}

describe('alerts list output', () => {
  it('names the component of an operational (pipeline-health) incident, which has no key or address', () => {
    const entry = alertListEntry(
      row({ rule: 'pipeline-health', key_id: '', account_id: '', component: 'rule:cross-tenant' }),
    );
    expect(entry).toContain('rule:cross-tenant');
  });

  it('prints one line per incident and its summary, indented', () => {
    expect(alertListEntry(row())).toBe(
      'id-enumeration-5f2c  firing   high     id-enumeration           key_1  2026-11-27 10:04:59  [acked]\n' +
        '    key_1 was denied on 212 distinct invoice IDs in 5 min\n',
    );
  });

  it('prints untrusted fields inertly: no escape sequence, forged line or bidi override (issue 11 item 6)', () => {
    for (const hostile of HOSTILE_CORPUS) {
      const printed = alertListEntry(
        row({ alert_id: hostile, key_id: hostile, summary: hostile, env: hostile }),
      );
      const lines = printed.split('\n');
      expect(lines, JSON.stringify(hostile)).toHaveLength(3);
      expect(lines[2]).toBe('');
      for (const line of lines) expectInertLine(line, JSON.stringify(hostile));
    }
  });

  it('--json prints the same values as valid JSON, inertly', () => {
    for (const hostile of HOSTILE_CORPUS) {
      const hostileRow = row({ key_id: hostile, summary: hostile });
      const printed = alertListJson(hostileRow);
      expect(printed.endsWith('\n')).toBe(true);
      expectInertLine(printed.slice(0, -1), JSON.stringify(hostile));
      expect(JSON.parse(printed)).toEqual(hostileRow);
    }
  });
});
