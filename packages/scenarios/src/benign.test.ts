import { describe, expect, it } from 'vitest';
import { SEEDS, testContext } from './test-context.test-helpers.js';
import type { GeneratedEvent } from './event-stream.js';
import { HOUR, KEY_RULES, MINUTE } from './builder.js';
import {
  crossTenantStats,
  distributedStats,
  expectationFailures,
  foreignEnv,
  idEnumerationStats,
  indexStream,
  isDenial,
  resourceIdOf,
  staleLooseStats,
  verdict,
} from './catalog-reference.js';
import {
  backgroundTraffic,
  busyKeyLowDenyRatio,
  corporateNat,
  fewStaleIdsPolledForHours,
  manyKeysRarelyDenied,
  retryOneId,
  stagingUsingStagingIds,
} from './index.js';
import type { LabelledScenario, ScenarioContext } from './index.js';

const ctx = testContext;

function byKey(events: readonly GeneratedEvent[]): Map<string, GeneratedEvent[]> {
  const map = new Map<string, GeneratedEvent[]>();
  for (const e of events) map.set(e.key_id ?? '', [...(map.get(e.key_id ?? '') ?? []), e]);
  return map;
}

function deniedIds(events: readonly GeneratedEvent[]): Set<string> {
  return new Set(events.filter(isDenial).map((e) => resourceIdOf(e) ?? ''));
}

const BENIGN: [string, (c: ScenarioContext) => LabelledScenario][] = [
  ['retryOneId', (c) => retryOneId(c)],
  ['fewStaleIdsPolledForHours', (c) => fewStaleIdsPolledForHours(c, {})],
  ['busyKeyLowDenyRatio', (c) => busyKeyLowDenyRatio(c)],
  ['manyKeysRarelyDenied', (c) => manyKeysRarelyDenied(c)],
  ['corporateNat', (c) => corporateNat(c)],
  ['stagingUsingStagingIds', (c) => stagingUsingStagingIds(c)],
  // Background traffic fills the whole span: an hour of it is plenty.
  ['backgroundTraffic', (c) => backgroundTraffic({ ...c, durationMs: HOUR })],
];

describe.each(BENIGN)('%s', (_name, generate) => {
  it.each(SEEDS)('stays under every labelled threshold (seed %i)', (seed) => {
    const scenario = generate(ctx(seed, { durationMs: 3 * HOUR }));
    expect(scenario.kind).toBe('benign');
    expect(scenario.silent).toBeUndefined();
    expect(scenario.expect.length).toBeGreaterThan(0);
    expect(expectationFailures(scenario, indexStream(scenario.events))).toEqual([]);
    // Every key and IP of the shape is covered by its labels.
    const keys = new Set(scenario.expect.map((e) => e.subject.key_id).filter(Boolean));
    const ips = new Set(scenario.expect.map((e) => e.subject.client_ip).filter(Boolean));
    const uncovered = scenario.events.filter(
      (e) => !keys.has(e.key_id ?? '') || !ips.has(e.client_ip ?? ''),
    );
    expect(uncovered).toEqual([]);
  });

  it('is the same scenario for the same seed', () => {
    expect(generate(ctx(9, { durationMs: 3 * HOUR }))).toEqual(
      generate(ctx(9, { durationMs: 3 * HOUR })),
    );
  });
});

describe('retryOneId', () => {
  it.each(SEEDS)('200 denials on one ID within 5 minutes (seed %i)', (seed) => {
    const s = retryOneId(ctx(seed));
    const denials = s.events.filter(isDenial);
    expect(denials).toHaveLength(200);
    expect(deniedIds(s.events).size).toBe(1);
    expect((denials.at(-1)?.ts ?? 0) - (denials[0]?.ts ?? 0)).toBeLessThanOrEqual(5 * MINUTE);
    expect(staleLooseStats(s.events).persistMinutes).toBeLessThan(30);
  });
});

describe('fewStaleIdsPolledForHours', () => {
  it.each(SEEDS)('3 IDs polled for 2 hours: stale-shaped, nothing else (seed %i)', (seed) => {
    const s = fewStaleIdsPolledForHours(ctx(seed, { durationMs: 3 * HOUR }));
    const denials = s.events.filter(isDenial);
    expect(denials).toHaveLength(180);
    expect(deniedIds(s.events).size).toBe(3);
    expect((denials.at(-1)?.ts ?? 0) - (denials[0]?.ts ?? 0)).toBeGreaterThan(115 * MINUTE);
    // Left out of `expect` on purpose: stale-resource-ids is the info report this shape deserves.
    const rules = new Set(s.expect.map((e) => e.rule));
    expect(rules.has('stale-resource-ids')).toBe(false);
    expect(rules.size).toBe(KEY_RULES.length);
    const key = { key_id: s.events[0]?.key_id ?? '' };
    expect(verdict(indexStream(s.events), 'stale-resource-ids', key, 'strict').fires).toBe(true);
  });
});

describe('busyKeyLowDenyRatio', () => {
  it.each(SEEDS)('5,000 requests, 40 denials on 40 IDs in 10 minutes (seed %i)', (seed) => {
    const s = busyKeyLowDenyRatio(ctx(seed));
    expect(s.events).toHaveLength(5_000);
    expect(new Set(s.events.map((e) => e.key_id)).size).toBe(1);
    const denials = s.events.filter(isDenial);
    expect(denials).toHaveLength(40);
    expect(deniedIds(s.events).size).toBe(40);
    expect(denials.length / s.events.length).toBeLessThan(0.05);
    expect(s.events.at(-1)!.ts - s.events[0]!.ts).toBeLessThanOrEqual(10 * MINUTE);
  });

  it('with 120 denials crosses the distinct count and only the ratio keeps it silent', () => {
    const s = busyKeyLowDenyRatio(ctx(1), { denials: 120 });
    const stats = idEnumerationStats(s.events, 5);
    expect(stats.maxDistinct).toBeGreaterThanOrEqual(50);
    expect(stats.ratioAtMax).toBeLessThan(0.05);
    expect(expectationFailures(s, indexStream(s.events))).toEqual([]);
  });
});

describe('manyKeysRarelyDenied', () => {
  it.each(SEEDS)('one account, 50 keys, 1–3 denied IDs each (seed %i)', (seed) => {
    const s = manyKeysRarelyDenied(ctx(seed));
    expect(new Set(s.events.map((e) => e.account_id)).size).toBe(1);
    const keys = byKey(s.events);
    expect(keys.size).toBe(50);
    for (const events of keys.values()) {
      const n = deniedIds(events).size;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(3);
    }
    expect(new Set(s.events.map((e) => e.client_ip)).size).toBe(25);
  });
});

describe('corporateNat', () => {
  it.each(SEEDS)('40 keys of 40 accounts on one IP, ≤ 2 denials each (seed %i)', (seed) => {
    const s = corporateNat(ctx(seed));
    expect(new Set(s.events.map((e) => e.client_ip)).size).toBe(1);
    expect(new Set(s.events.map((e) => e.account_id)).size).toBe(40);
    const keys = byKey(s.events);
    expect(keys.size).toBe(40);
    for (const events of keys.values())
      expect(events.filter(isDenial).length).toBeLessThanOrEqual(2);
    const ok = s.events.filter((e) => e.status < 300).length;
    expect(ok / s.events.length).toBeGreaterThan(0.9);
    expect(distributedStats(s.events, 16, 3).keys).toBe(0);
  });
});

describe('stagingUsingStagingIds', () => {
  it.each(SEEDS)('staging keys on staging IDs only (seed %i)', (seed) => {
    const s = stagingUsingStagingIds(ctx(seed, { env: 'production' }));
    expect(s.events.every((e) => e.env === 'staging' && e.key_id?.startsWith('key_test_'))).toBe(
      true,
    );
    expect(s.events.some((e) => e.resource_env !== undefined)).toBe(false);
    expect(s.events.some((e) => foreignEnv(e) !== null)).toBe(false);
    const subs = s.events.filter((e) => e.resource_type === 'subscription' && resourceIdOf(e));
    expect(subs.length).toBeGreaterThan(20);
    expect(subs.every((e) => resourceIdOf(e)?.startsWith('sub_test_'))).toBe(true);
    expect(s.events.filter(isDenial).every((e) => resourceIdOf(e)?.startsWith('sub_test_'))).toBe(
      true,
    );
  });
});

describe('backgroundTraffic', () => {
  it.each(SEEDS)('about 2.5 % denials, thinly spread (seed %i)', (seed) => {
    const s = backgroundTraffic(ctx(seed), { accounts: 20, keysPerAccount: 2, eventsPerSecond: 2 });
    expect(s.events.length).toBeGreaterThan(6_500);
    expect(s.events.length).toBeLessThan(7_900);
    const share = s.events.filter(isDenial).length / s.events.length;
    expect(share).toBeGreaterThan(0.02);
    expect(share).toBeLessThan(0.035);
    expect(new Set(s.events.map((e) => e.account_id)).size).toBe(20);
    for (const events of byKey(s.events).values()) {
      // Far from every threshold, not just under it.
      expect(idEnumerationStats(events, 6).maxDistinct).toBeLessThan(15);
      expect(crossTenantStats(events, 16).maxDistinct).toBeLessThan(6);
      expect(staleLooseStats(events).denials).toBeLessThan(10);
      expect(events.some((e) => foreignEnv(e) !== null)).toBe(false);
    }
  });

  it('keeps every key far from thresholds under benchmark load', () => {
    const s = backgroundTraffic(ctx(3, { durationMs: 20 * MINUTE }), {
      accounts: 10,
      keysPerAccount: 3,
      eventsPerSecond: 100,
    });
    expect(s.events.length).toBeGreaterThan(100_000);
    const index = indexStream(s.events);
    expect(expectationFailures(s, index)).toEqual([]);
    for (const events of index.byKey.values()) {
      expect(idEnumerationStats(events, 16).maxDistinct).toBeLessThan(25);
      expect(crossTenantStats(events, 16).maxDistinct).toBeLessThan(8);
    }
  });

  it('follows ctx.env', () => {
    const s = backgroundTraffic(ctx(2, { env: 'staging', durationMs: 10 * MINUTE }));
    expect(s.events.every((e) => e.env === 'staging' && e.key_id?.startsWith('key_test_'))).toBe(
      true,
    );
  });
});
