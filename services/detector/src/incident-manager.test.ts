import type { Finding } from '@denyscope/detections';
import { describe, expect, it } from 'vitest';
import { alertIdOf, MemoryIncidentStore } from '@denyscope/incidents';
import { IncidentManager } from './incident-manager.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute));

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    rule: 'id-enumeration',
    subjectKey: 'key_id=key_1',
    subject: { key_id: 'key_1', account_id: 'acct_1' },
    env: 'production',
    severity: 'high',
    window: { start: at(0), end: at(5) },
    firstSeen: at(1),
    lastSeen: at(5),
    summary: 'scan',
    evidence: { distinct_ids: 60 },
    ...overrides,
  };
}

async function step(manager: IncidentManager, findings: Finding[], watermark: Date) {
  const result = await manager.evaluate(findings, watermark);
  await manager.commit([...result.transitions.map((t) => t.state), ...result.updates]);
  return result.transitions.map((t) => `${t.transition}:${t.state.severity}:v${t.state.version}`);
}

describe('IncidentManager', () => {
  it('opens once, escalates when severity rises, stays quiet otherwise, resolves after the quiet period', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000);
    expect(await step(manager, [finding()], at(5))).toEqual(['opened:high:v1']);
    expect(
      await step(manager, [finding({ lastSeen: at(6), evidence: { distinct_ids: 90 } })], at(6)),
    ).toEqual([]);
    expect(
      await step(manager, [finding({ severity: 'critical', lastSeen: at(7) })], at(7)),
    ).toEqual(['escalated:critical:v2']);
    // A lower severity later does not de-escalate, and is no transition.
    expect(await step(manager, [finding({ severity: 'high', lastSeen: at(8) })], at(8))).toEqual(
      [],
    );
    expect(await step(manager, [], at(20))).toEqual([]); // quiet for 12 min: still firing
    expect(await step(manager, [], at(23))).toEqual(['resolved:critical:v3']);
    expect(await step(manager, [], at(40))).toEqual([]); // resolved once
  });

  it('opens a new incident with a new ID when the subject fires again after resolving', async () => {
    const store = new MemoryIncidentStore();
    const manager = new IncidentManager(store, 15 * 60_000);
    const first = await manager.evaluate([finding()], at(5));
    await manager.commit(first.transitions.map((t) => t.state));
    await step(manager, [], at(30));
    const again = await manager.evaluate(
      [finding({ firstSeen: at(40), lastSeen: at(41) })],
      at(41),
    );
    expect(again.transitions[0]?.transition).toBe('opened');
    expect(again.transitions[0]?.state.alertId).not.toBe(first.transitions[0]?.state.alertId);
    expect(again.transitions[0]?.state.alertId).toBe(
      // Generation: the event-time day the subject's first remembered incident was last seen.
      alertIdOf('id-enumeration', 'key_id=key_1', 2, '20261127'),
    );
  });

  it('repeats the same transition with the same ID when a tick is retried before commit', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000);
    const once = await manager.evaluate([finding()], at(5));
    const retried = await manager.evaluate([finding({ lastSeen: at(6) })], at(6));
    expect(
      retried.transitions.map((t) => [t.transition, t.state.alertId, t.state.version]),
    ).toEqual(once.transitions.map((t) => [t.transition, t.state.alertId, t.state.version]));
  });

  it('resolves when the events stop even while a long window still reports them, and does not reopen on them', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000);
    const stale = finding({ rule: 'stale-resource-ids', severity: 'info', lastSeen: at(5) });
    expect(await step(manager, [stale], at(5))).toEqual(['opened:info:v1']);
    expect(await step(manager, [stale], at(15))).toEqual([]);
    expect(await step(manager, [stale], at(21))).toEqual(['resolved:info:v2']);
    expect(await step(manager, [stale], at(30))).toEqual([]);
    expect(await step(manager, [{ ...stale, lastSeen: at(31) }], at(31))).toEqual([
      'opened:info:v1',
    ]);
  });

  it('keeps incidents of a rule that failed to evaluate instead of resolving them', async () => {
    const manager = new IncidentManager(new MemoryIncidentStore(), 15 * 60_000);
    await step(manager, [finding()], at(5));
    const result = await manager.evaluate([], at(30), new Set(['id-enumeration']));
    expect(result.transitions).toEqual([]);
  });
});
