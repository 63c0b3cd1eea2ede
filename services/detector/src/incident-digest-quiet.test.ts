import type { Finding } from '@denyscope/detections';
import { describe, expect, it } from 'vitest';
import { IncidentManager } from './incident-manager.js';
import { MemoryIncidentStore } from '@denyscope/incidents';

// Found by tests/chaos/address-flood.chaos.test.ts (docs/chaos.md, finding 12): once the digest
// of a flood resolved, the rule's window still held the flood's subjects, and each tick opened
// (and paged) the cap of them, quiet already, until the window slid past: hundreds of pages.

const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 10, minute));
const CAP = 3;

function scanner(i: number, lastSeen = at(5)): Finding {
  const ip = `10.100.${i}.0/24`;
  return {
    rule: 'distributed-enumeration',
    subjectKey: `client_ip=${encodeURIComponent(ip)}`,
    subject: { client_ip: ip },
    env: 'production',
    severity: 'high',
    window: { start: at(0), end: at(5) },
    firstSeen: at(1),
    lastSeen,
    summary: `scan from ${ip}`,
    evidence: { decision: { crossed: [{ fact: 'keys', value: 10, threshold: '>= 10' }] } },
  };
}

describe('IncidentManager: a resolved digest keeps the subjects it reported quiet', () => {
  it('opens none of the flood again while the window still holds it; new activity opens', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000, {
      maxNewIncidentsPerRule: CAP,
    });
    const step = async (findings: Finding[], watermark: Date) => {
      const result = await manager.evaluate(findings, watermark);
      await manager.commit([...result.transitions.map((t) => t.state), ...result.updates]);
      return result.transitions.map(
        (t) => `${t.transition}:${t.state.subject.client_ip ?? 'digest'}`,
      );
    };
    const flood = Array.from({ length: 50 }, (_, i) => scanner(i));
    expect(await step(flood, at(5))).toHaveLength(CAP + 1);
    // The window (15 min) still holds the flood, quiet for 16 minutes: all resolve, none opens.
    const quiet = await step(flood, at(21));
    expect(quiet.filter((t) => t.startsWith('resolved'))).toHaveLength(CAP + 1);
    expect(quiet.filter((t) => t.startsWith('opened'))).toEqual([]);
    expect(await step(flood, at(22))).toEqual([]);
    expect(await step([...flood, scanner(60, at(30))], at(30))).toEqual(['opened:10.100.60.0/24']);
  });
});
