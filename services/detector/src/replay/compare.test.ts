import { describe, expect, it } from 'vitest';
import type { IncidentTransition } from '@denyscope/incidents';
import {
  compareIncidents,
  formatComparison,
  IncidentCollector,
  type IncidentSummary,
} from './compare.js';

const incident = (overrides: Partial<IncidentSummary>): IncidentSummary => ({
  alertId: 'a',
  rule: 'id-enumeration',
  subjectKey: 'key_id=k1',
  subject: { key_id: 'k1' },
  severity: 'high',
  firstSeen: '2026-11-27T10:00:00.000Z',
  lastSeen: '2026-11-27T10:10:00.000Z',
  summary: 'scan',
  ...overrides,
});

describe('compareIncidents', () => {
  it('pairs the same rule and subject over overlapping times, whatever the alert IDs', () => {
    const result = compareIncidents(
      [incident({ alertId: 'a1' })],
      [incident({ alertId: 'b7', firstSeen: '2026-11-27T10:05:00.000Z' })],
    );
    expect(result).toEqual({ onlyBaseline: [], onlyCandidate: [], severityChanged: [], same: 1 });
  });

  it('lists incidents that only one rule set opens, and severities that differ', () => {
    const quiet = incident({ subjectKey: 'key_id=k2', subject: { key_id: 'k2' } });
    const later = incident({
      firstSeen: '2026-11-27T12:00:00.000Z',
      lastSeen: '2026-11-27T12:05:00.000Z',
    });
    const result = compareIncidents([incident({}), quiet], [incident({ severity: 'info' }), later]);
    expect(result.onlyBaseline).toEqual([quiet]);
    expect(result.onlyCandidate).toEqual([later]);
    expect(result.severityChanged).toHaveLength(1);
    const text = formatComparison(result, { baseline: 'current.yaml', candidate: 'new.yaml' });
    expect(text).toMatch(/^id-enumeration\s+1\s+1\s+1$/m);
    expect(text).toContain('Opened only by A (1):');
    expect(text).toContain('high in A, info in B');
  });

  it('pairs each incident at most once', () => {
    const result = compareIncidents([incident({}), incident({ alertId: 'a2' })], [incident({})]);
    expect(result.same).toBe(1);
    expect(result.onlyBaseline).toHaveLength(1);
  });
});

describe('IncidentCollector', () => {
  it('keeps the highest severity and the opening summary of each incident', async () => {
    const collector = new IncidentCollector();
    const state = {
      rule: 'cross-tenant' as const,
      subjectKey: 'key_id=k1',
      subject: { key_id: 'k1' },
      alertId: 'x',
      episode: 1,
      version: 1,
      status: 'firing' as const,
      severity: 'high' as const,
      env: 'production',
      window: { start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:15:00.000Z' },
      firstSeen: '2026-11-27T10:01:00.000Z',
      lastSeen: '2026-11-27T10:02:00.000Z',
      summary: 'opened',
      evidence: {},
    };
    const changes: IncidentTransition[] = [
      { transition: 'opened', state },
      { transition: 'escalated', state: { ...state, severity: 'critical', summary: 'worse' } },
      {
        transition: 'resolved',
        state: {
          ...state,
          status: 'resolved',
          severity: 'critical',
          lastSeen: '2026-11-27T10:09:00.000Z',
        },
      },
    ];
    for (const change of changes) await collector.write(change);
    expect(collector.incidents).toEqual([
      expect.objectContaining({
        severity: 'critical',
        summary: 'opened',
        lastSeen: '2026-11-27T10:09:00.000Z',
      }),
    ]);
  });
});
