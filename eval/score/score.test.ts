import type { Alert } from '@denyscope/alerts';
import { describe, expect, it } from 'vitest';
import type { Label } from '../traffic/labels.js';
import { matches, pagesOf, subjectMatches, timeOverlaps, timeToDetect } from './match.js';
import { formatDuration, percentile, renderReport, verdict } from './report.js';
import { scoreSeed } from './score.js';

const at = (hhmm: string) => `2026-03-02T${hhmm}:00.000Z`;

function alert(
  fields: Pick<Alert, 'alert_id' | 'rule' | 'severity'> &
    Partial<Alert> & { from?: string; to?: string },
): Alert {
  const { from = '10:00', to = '10:05', ...rest } = fields;
  return {
    status: 'firing',
    subject: {},
    env: 'production',
    window: { start: at(from), end: at(to) },
    first_seen: at(from),
    last_seen: at(to),
    summary: `${fields.rule} fired`,
    evidence: {},
    runbook: `docs/runbooks/${fields.rule}.md`,
    ...rest,
  };
}

function label(
  id: string,
  cls: string,
  kind: 'attack' | 'benign',
  subjects: Partial<Label['subjects']>,
  span: [string, string] = ['10:00', '10:20'],
): Label {
  return {
    id,
    kind,
    class: cls,
    expected_rule:
      kind === 'benign'
        ? null
        : cls.startsWith('distributed')
          ? 'distributed-enumeration'
          : 'id-enumeration',
    expected_to_page: kind === 'attack',
    subjects: { key_ids: [], account_ids: [], client_ips: [], ...subjects },
    start: at(span[0]),
    end: at(span[1]),
    events: 1,
    params: {},
  };
}

describe('pagesOf: a page opens or escalates an incident at a severity other than info', () => {
  it('pages on opening and on escalation, never on info, resolution or a repeat', () => {
    const lines = [
      alert({ alert_id: 'A', rule: 'id-enumeration', severity: 'high' }),
      alert({ alert_id: 'B', rule: 'stale-resource-ids', severity: 'info' }),
      alert({ alert_id: 'A', rule: 'id-enumeration', severity: 'critical' }),
      alert({ alert_id: 'C', rule: 'cross-tenant', severity: 'info' }),
      alert({ alert_id: 'C', rule: 'cross-tenant', severity: 'medium' }),
      alert({ alert_id: 'D', rule: 'cross-tenant', severity: 'high' }),
      alert({ alert_id: 'D', rule: 'cross-tenant', severity: 'high' }),
      alert({ alert_id: 'A', rule: 'id-enumeration', severity: 'critical', status: 'resolved' }),
      alert({ alert_id: 'B', rule: 'stale-resource-ids', severity: 'info', status: 'resolved' }),
    ];
    expect(pagesOf(lines).map((a) => `${a.alert_id}:${a.severity}`)).toEqual([
      'A:high',
      'A:critical',
      'C:medium',
      'D:high',
    ]);
  });
});

describe('matching an alert with a label', () => {
  const byKey = label('L', 'padded-scan', 'attack', { key_ids: ['key_live_a'] });
  const byNetwork = label('N', 'distributed-scan-ipv4', 'attack', {
    client_ips: ['203.0.113.0/24'],
  });
  const byAddress = label('P', 'ci-shared-egress', 'benign', { client_ips: ['2001:db8:1:2::7'] });

  it('matches by key, or by an address inside a network (either side)', () => {
    expect(
      subjectMatches(
        alert({
          alert_id: 'x',
          rule: 'id-enumeration',
          severity: 'high',
          subject: { key_id: 'key_live_a' },
        }),
        byKey,
      ),
    ).toBe(true);
    expect(
      subjectMatches(
        alert({
          alert_id: 'x',
          rule: 'id-enumeration',
          severity: 'high',
          subject: { key_id: 'key_live_b' },
        }),
        byKey,
      ),
    ).toBe(false);
    const ip = (client_ip: string) =>
      alert({
        alert_id: 'x',
        rule: 'distributed-enumeration',
        severity: 'high',
        subject: { client_ip },
      });
    expect(subjectMatches(ip('203.0.113.0/24'), byNetwork)).toBe(true);
    expect(subjectMatches(ip('203.0.113.99'), byNetwork)).toBe(true);
    expect(subjectMatches(ip('203.0.0.0/16'), byNetwork)).toBe(true);
    expect(subjectMatches(ip('203.0.114.0/24'), byNetwork)).toBe(false);
    expect(subjectMatches(ip('2001:db8:1:2::/64'), byAddress)).toBe(true);
    expect(subjectMatches(ip('2001:db8:1:3::/64'), byAddress)).toBe(false);
  });

  it('does not match by account alone', () => {
    const l = label('A', 'padded-scan', 'attack', { account_ids: ['acct_1'] });
    expect(
      subjectMatches(
        alert({
          alert_id: 'x',
          rule: 'cross-tenant',
          severity: 'high',
          subject: { account_id: 'acct_1' },
        }),
        l,
      ),
    ).toBe(false);
  });

  it('needs the evidence span to overlap the label span widened by 30 minutes', () => {
    const seen = (from: string, to: string) =>
      alert({
        alert_id: 'x',
        rule: 'id-enumeration',
        severity: 'high',
        from,
        to,
        subject: { key_id: 'key_live_a' },
      });
    expect(timeOverlaps(seen('10:50', '11:00'), byKey)).toBe(true);
    expect(timeOverlaps(seen('10:51', '11:00'), byKey)).toBe(false);
    expect(timeOverlaps(seen('09:00', '09:30'), byKey)).toBe(true);
    expect(timeOverlaps(seen('09:00', '09:29'), byKey)).toBe(false);
    expect(timeOverlaps(seen('09:00', '12:00'), byKey)).toBe(true);
    expect(matches(seen('10:51', '11:00'), byKey)).toBe(false);
  });

  it('measures time to detect from the label start to the window end, never below zero', () => {
    expect(
      timeToDetect(
        alert({ alert_id: 'x', rule: 'id-enumeration', severity: 'high', to: '10:06' }),
        byKey,
      ),
    ).toBe(6 * 60_000);
    expect(
      timeToDetect(
        alert({
          alert_id: 'x',
          rule: 'id-enumeration',
          severity: 'high',
          from: '09:40',
          to: '09:50',
        }),
        byKey,
      ),
    ).toBe(0);
  });
});

describe('scoreSeed and verdict', () => {
  const labels = [
    label('s1-padded', 'padded-scan', 'attack', { key_ids: ['k1'], client_ips: ['10.0.0.1'] }),
    label('s1-dist', 'distributed-scan-ipv4', 'attack', {
      key_ids: ['k2a', 'k2b'],
      client_ips: ['203.0.113.0/24'],
    }),
    label('s1-ci', 'ci-shared-egress', 'benign', { key_ids: ['k3'], client_ips: ['198.51.100.7'] }),
  ];
  const alerts = [
    alert({
      alert_id: 'a1',
      rule: 'id-enumeration',
      severity: 'high',
      from: '10:01',
      to: '10:06',
      subject: { key_id: 'k1' },
    }),
    alert({
      alert_id: 'a1',
      rule: 'id-enumeration',
      severity: 'critical',
      from: '10:01',
      to: '10:09',
      subject: { key_id: 'k1' },
    }),
    alert({
      alert_id: 'a2',
      rule: 'cross-tenant',
      severity: 'critical',
      subject: { key_id: 'k1' },
    }),
    alert({
      alert_id: 'a3',
      rule: 'distributed-enumeration',
      severity: 'high',
      subject: { client_ip: '198.51.100.7' },
    }),
    alert({
      alert_id: 'a3',
      rule: 'distributed-enumeration',
      severity: 'critical',
      subject: { client_ip: '198.51.100.7' },
    }),
    alert({
      alert_id: 'a4',
      rule: 'id-enumeration',
      severity: 'medium',
      subject: { key_id: 'k9' },
    }),
    alert({
      alert_id: 'a5',
      rule: 'stale-resource-ids',
      severity: 'info',
      subject: { key_id: 'k3' },
    }),
  ];
  const score = scoreSeed(1, 2, labels, alerts);

  it('finds attacks on their expected rule, with time to detect from the first page', () => {
    const [padded, dist] = score.attacks;
    expect(padded).toMatchObject({
      found: true,
      ttdMs: 6 * 60_000,
      pagedBy: ['cross-tenant', 'id-enumeration'],
    });
    expect(dist).toMatchObject({ found: false, ttdMs: null, pagedBy: [] });
  });

  it('counts one false page per incident: on a benign label, or on nothing labelled', () => {
    expect(score.falsePages.map((f) => [f.alertId, f.severity, f.labels])).toEqual([
      ['a3', 'critical', ['s1-ci']],
      ['a4', 'medium', []],
    ]);
    expect(score.benign[0]).toMatchObject({
      falsePages: 1,
      pagedBy: ['distributed-enumeration'],
      infoIncidents: 1,
    });
    expect(score.pages).toBe(6);
  });

  it('fails the run for a missed attack class and for every kind of false page', () => {
    expect(verdict([score])).toEqual({
      ok: false,
      problems: [
        'missed distributed-scan-ipv4: 0/1 found',
        'false pages on ci-shared-egress: 1',
        'false pages on unlabelled background traffic: 1',
      ],
    });
    const clean = scoreSeed(1, 2, labels.slice(0, 1), alerts.slice(0, 3));
    expect(verdict([clean])).toEqual({ ok: true, problems: [] });
  });

  it('renders Markdown tables per rule and per class', () => {
    const text = renderReport(
      {
        date: '2026-12-07',
        seeds: [1],
        hours: 2,
        accounts: 100,
        lines: 10,
        events: 9,
        machine: 'test',
        replaySeconds: 1,
        stepSeconds: 60,
      },
      [score],
    );
    // 2 h of traffic is 1/12 day: 1 false page of id-enumeration is 12 a day.
    expect(text).toContain('| `id-enumeration` | 1 | 1 | 1.00 | 1 | 12.0 | 6m 00s | 6m 00s |');
    expect(text).toContain('| `distributed-enumeration` | 1 | 0 | 0.00 | 1 | 12.0 | – | – |');
    expect(text).toContain('| ci-shared-egress | 1 | 1 | distributed-enumeration | 1 |');
    expect(text).toContain('**Result: FAIL**');
  });
});

describe('percentile and formatDuration', () => {
  it('takes the nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([30, 10, 20], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 100)).toBe(40);
  });

  it('formats seconds and minutes', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(125_400)).toBe('2m 05s');
  });
});
