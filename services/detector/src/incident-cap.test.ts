import type { Finding } from '@denyscope/detections';
import { describe, expect, it } from 'vitest';
import { IncidentManager } from './incident-manager.js';
import { MemoryIncidentStore } from '@denyscope/incidents';

// Issue 11, "page flood": every distinct subject (a client address is any string) could open its
// own high incident and page, with no cap per rule. These tests hold the cap and the digest.

const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 10, minute));
const CAP = 5;

function scanner(i: number, overrides: Partial<Finding> = {}): Finding {
  const ip = `203.0.113.${i}`;
  return {
    rule: 'distributed-enumeration',
    subjectKey: `client_ip=${ip}`,
    subject: { client_ip: ip },
    env: 'production',
    severity: 'high',
    window: { start: at(0), end: at(5) },
    firstSeen: at(1),
    lastSeen: at(5),
    summary: `scan from ${ip}`,
    evidence: { decision: { crossed: [{ fact: 'keys', value: 10 + i, threshold: '>= 10' }] } },
    ...overrides,
  };
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

async function step(manager: IncidentManager, findings: Finding[], watermark: Date) {
  const result = await manager.evaluate(findings, watermark);
  await manager.commit([...result.transitions.map((t) => t.state), ...result.updates]);
  return result.transitions;
}

describe('IncidentManager: at most DETECT_MAX_NEW_INCIDENTS_PER_RULE new incidents per rule', () => {
  it('opens the cap of incidents and folds the rest of 500 subjects into one digest', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000, {
      maxNewIncidentsPerRule: CAP,
    });
    const flood = range(500).map((i) => scanner(i));
    const opened = (await step(manager, flood, at(5))).filter((t) => t.transition === 'opened');
    expect(opened).toHaveLength(CAP + 1);
    const digest = opened.filter((t) => t.state.subject.key_id === '*digest*');
    expect(digest).toHaveLength(1);
    expect(digest[0]?.state.summary).toMatch(/^495 more subjects of distributed-enumeration: /);
    expect(digest[0]?.state.evidence).toMatchObject({ subjects: 495, cap: CAP });
    const sample = (digest[0]?.state.evidence as { sample: unknown[] }).sample;
    expect(sample.length).toBeLessThanOrEqual(20);
    // The largest evidence first: the subjects with the most keys got their own incidents.
    const own = opened.filter((t) => t.state.subject.key_id !== '*digest*');
    expect(own.map((t) => t.state.subject.client_ip).sort()).toEqual(
      range(CAP, 495).map((i) => `203.0.113.${i}`),
    );
  });

  it('opens the most severe first, whatever their evidence size', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000, {
      maxNewIncidentsPerRule: CAP,
    });
    const critical = range(2, 100).map((i) => scanner(i, { severity: 'critical' }));
    const flood = [...range(50, 200).map((i) => scanner(i)), ...critical];
    const opened = await step(manager, flood, at(5));
    const own = opened.filter((t) => t.state.subject.key_id !== '*digest*');
    expect(own.filter((t) => t.state.severity === 'critical')).toHaveLength(2);
  });

  it('keeps folding new subjects into the firing digest on later ticks (a ramp is one flood)', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000, {
      maxNewIncidentsPerRule: CAP,
    });
    let pages = 0;
    const seen: Finding[] = [];
    // 100 new addresses per minute for 5 minutes, each still reported by the window afterwards.
    for (const minute of range(5, 5)) {
      seen.push(...range(100, (minute - 5) * 100).map((i) => scanner(i, { lastSeen: at(minute) })));
      const transitions = await step(manager, seen, at(minute));
      pages += transitions.filter((t) => t.transition !== 'resolved').length;
    }
    expect(pages).toBe(CAP + 1);
  });

  it('escalates the digest when a folded subject is more severe, without re-opening it', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000, {
      maxNewIncidentsPerRule: CAP,
    });
    await step(
      manager,
      range(10).map((i) => scanner(i)),
      at(5),
    );
    const later = [
      ...range(10).map((i) => scanner(i, { lastSeen: at(6) })),
      scanner(50, { lastSeen: at(6), severity: 'critical' }),
    ];
    const transitions = await step(manager, later, at(6));
    expect(transitions.map((t) => `${t.transition}:${t.state.subject.key_id ?? '-'}`)).toEqual([
      'escalated:*digest*',
    ]);
  });

  it('never caps findings about subjects that already have a firing incident', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000, {
      maxNewIncidentsPerRule: CAP,
    });
    await step(
      manager,
      range(CAP).map((i) => scanner(i)),
      at(5),
    );
    const escalations = await step(
      manager,
      range(CAP).map((i) => scanner(i, { lastSeen: at(6), severity: 'critical' })),
      at(6),
    );
    expect(escalations.map((t) => t.transition)).toEqual(Array(CAP).fill('escalated'));
  });

  it('resolves the digest when the flood is quiet, after which subjects open on their own again', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000, {
      maxNewIncidentsPerRule: CAP,
    });
    await step(
      manager,
      range(20).map((i) => scanner(i)),
      at(5),
    );
    const resolved = await step(manager, [], at(21));
    expect(resolved.filter((t) => t.transition === 'resolved')).toHaveLength(CAP + 1);
    const again = await step(manager, [scanner(7, { lastSeen: at(30) })], at(30));
    expect(again.map((t) => `${t.transition}:${t.state.subject.client_ip ?? '-'}`)).toEqual([
      'opened:203.0.113.7',
    ]);
  });

  it('caps each rule on its own', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000, {
      maxNewIncidentsPerRule: CAP,
    });
    const other = range(3).map((i) =>
      scanner(i, {
        rule: 'cross-tenant',
        subjectKey: `key_id=k${i}`,
        subject: { key_id: `k${i}` },
      }),
    );
    const opened = await step(manager, [...range(50).map((i) => scanner(i)), ...other], at(5));
    expect(opened.filter((t) => t.state.rule === 'cross-tenant')).toHaveLength(3);
    expect(opened.filter((t) => t.state.rule === 'distributed-enumeration')).toHaveLength(CAP + 1);
  });
});
