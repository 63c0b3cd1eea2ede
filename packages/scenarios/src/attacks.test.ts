import { describe, expect, it } from 'vitest';
import { SEEDS, testContext } from './test-context.test-helpers.js';
import type { GeneratedEvent } from './event-stream.js';
import { MINUTE } from './builder.js';
import {
  crossEnvironmentCount,
  crossTenantStats,
  distributedStats,
  expectationFailures,
  foreignEnv,
  idEnumerationStats,
  indexStream,
  isDenial,
  looksSequential,
  markerEnv,
  resourceIdOf,
  staleStrictStats,
} from './catalog-reference.js';
import {
  crossEnvironmentProductionIdsInStaging,
  crossEnvironmentStagingIdsInProduction,
  crossTenant,
  distributedEnumeration,
  foreignAccessSuccess,
  idEnumerationRandom,
  idEnumerationSequential,
  slowEnumeration,
  staleResourceIds,
} from './index.js';
import type { LabelledScenario, ScenarioContext } from './index.js';

const ctx = testContext;

function keyOf(s: LabelledScenario): string {
  return s.expect[0]?.subject.key_id ?? '';
}

function keyEvents(s: LabelledScenario): GeneratedEvent[] {
  return s.events.filter((e) => e.key_id === keyOf(s));
}

function deniedIds(events: readonly GeneratedEvent[]): Set<string> {
  return new Set(events.filter(isDenial).map((e) => resourceIdOf(e) ?? ''));
}

/**
 * Most distinct denied IDs in one cell of a tumbling grid of `width` minutes shifted by
 * `offset` minutes: a detector on fixed buckets sees at least this much, whatever the alignment.
 */
function bestGridCell(events: readonly GeneratedEvent[], width: number, offset: number): number {
  const cells = new Map<number, Set<string>>();
  for (const e of events) {
    if (!isDenial(e)) continue;
    const cell = Math.floor((Math.floor(e.ts / MINUTE) - offset) / width);
    const ids = cells.get(cell) ?? new Set<string>();
    ids.add(resourceIdOf(e) ?? '');
    cells.set(cell, ids);
  }
  return Math.max(0, ...[...cells.values()].map((ids) => ids.size));
}

const ATTACKS: [string, (c: ScenarioContext) => LabelledScenario][] = [
  ['idEnumerationSequential', (c) => idEnumerationSequential(c)],
  ['idEnumerationRandom', (c) => idEnumerationRandom(c)],
  ['slowEnumeration', (c) => slowEnumeration(c)],
  ['slowEnumeration sequential', (c) => slowEnumeration(c, { sequential: true })],
  ['distributedEnumeration', (c) => distributedEnumeration(c)],
  ['crossEnvironmentStagingIdsInProduction', (c) => crossEnvironmentStagingIdsInProduction(c)],
  ['crossEnvironmentProductionIdsInStaging', (c) => crossEnvironmentProductionIdsInStaging(c)],
  ['crossTenant', (c) => crossTenant(c)],
  ['crossTenant concentrated', (c) => crossTenant(c, { concentrated: true })],
  ['foreignAccessSuccess', (c) => foreignAccessSuccess(c)],
  ['staleResourceIds', (c) => staleResourceIds(c)],
];

describe.each(ATTACKS)('%s', (_name, generate) => {
  it.each(SEEDS)('fires its own rule at its severity and no other (seed %i)', (seed) => {
    const scenario = generate(ctx(seed));
    expect(scenario.kind).toBe('attack');
    expect(scenario.expect).toHaveLength(1);
    expect(scenario.silent?.length).toBeGreaterThan(0);
    expect(expectationFailures(scenario, indexStream(scenario.events))).toEqual([]);
  });

  it('is the same scenario for the same seed and another for another seed', () => {
    expect(generate(ctx(9))).toEqual(generate(ctx(9)));
    expect(generate(ctx(9)).events).not.toEqual(generate(ctx(10)).events);
  });

  it('throws when its shape does not fit the duration', () => {
    expect(() => generate(ctx(1, { durationMs: MINUTE }))).toThrow(RangeError);
  });
});

describe('idEnumerationSequential', () => {
  it.each(SEEDS)(
    'walks 120 consecutive invoice IDs in 3 minutes, mostly missing (seed %i)',
    (seed) => {
      const s = idEnumerationSequential(ctx(seed));
      const events = keyEvents(s);
      const ids = deniedIds(events);
      expect(ids.size).toBe(120);
      expect(looksSequential(ids)).toBe(true);
      const denials = events.filter(isDenial);
      expect(denials.filter((e) => e.resource_owner === null)).toHaveLength(114);
      expect(
        new Set(denials.map((e) => e.resource_owner).filter((o) => o !== null)).size,
      ).toBeGreaterThan(0);
      expect(events.filter((e) => e.status === 200)).toHaveLength(8);
      const span = (denials.at(-1)?.ts ?? 0) - (denials[0]?.ts ?? 0);
      expect(span).toBeLessThanOrEqual(3 * MINUTE);
      const stats = idEnumerationStats(events, 5);
      expect(stats.maxDistinct).toBe(120);
      expect(stats.ratioAtMax).toBeCloseTo(120 / 128, 5);
      // Whatever 5-minute grid a detector uses, one cell holds ≥ 50 distinct IDs.
      for (let offset = 0; offset < 5; offset += 1) {
        expect(bestGridCell(events, 5, offset)).toBeGreaterThanOrEqual(60);
      }
      expect(crossTenantStats(events, 16).maxDistinct).toBeLessThan(10);
    },
  );

  it('makes staging keys in staging', () => {
    const s = idEnumerationSequential(ctx(1, { env: 'staging' }));
    expect(s.events.every((e) => e.env === 'staging' && e.key_id?.startsWith('key_test_'))).toBe(
      true,
    );
  });
});

describe('idEnumerationRandom', () => {
  it.each(SEEDS)('guesses ≥ 60 distinct subscription ULIDs within 5 minutes (seed %i)', (seed) => {
    const events = keyEvents(idEnumerationRandom(ctx(seed)));
    const ids = deniedIds(events);
    expect(ids.size).toBe(110);
    expect(looksSequential(ids)).toBe(false);
    for (const id of ids) expect(id).toMatch(/^sub_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(events.filter(isDenial).every((e) => e.resource_owner === null)).toBe(true);
    const stats = idEnumerationStats(events, 5);
    expect(stats.maxDistinct).toBeGreaterThanOrEqual(60);
    expect(stats.ratioAtMax).toBeGreaterThanOrEqual(0.9);
    for (let offset = 0; offset < 5; offset += 1) {
      expect(bestGridCell(events, 5, offset)).toBeGreaterThanOrEqual(50);
    }
  });
});

describe('slowEnumeration', () => {
  it.each(SEEDS)('never reaches 50 in 5 minutes, passes 150 in an hour (seed %i)', (seed) => {
    for (const sequential of [false, true]) {
      const events = keyEvents(slowEnumeration(ctx(seed), { sequential }));
      expect(deniedIds(events).size).toBe(168);
      // 6 buckets: the most any sliding 5-minute window can see.
      expect(idEnumerationStats(events, 6).maxDistinct).toBeLessThan(30);
      const hour = idEnumerationStats(events, 60);
      expect(hour.maxDistinct).toBe(168);
      expect(hour.ratioAtMax).toBeGreaterThanOrEqual(0.9);
      const denials = events.filter(isDenial);
      expect((denials.at(-1)?.ts ?? 0) - (denials[0]?.ts ?? 0)).toBeGreaterThan(45 * MINUTE);
      expect(looksSequential(deniedIds(events))).toBe(sequential);
    }
  });
});

describe('distributedEnumeration', () => {
  it.each(SEEDS)('spreads ≥ 80 IDs over 12 keys of one IP, 6–10 each (seed %i)', (seed) => {
    const s = distributedEnumeration(ctx(seed));
    const ips = new Set(s.events.map((e) => e.client_ip));
    expect(ips.size).toBe(1);
    expect(s.expect[0]?.subject).toEqual({ client_ip: [...ips][0] });
    const keys = new Set(s.events.map((e) => e.key_id));
    expect(keys.size).toBe(12);
    expect(new Set(s.events.map((e) => e.account_id)).size).toBe(12);
    for (const key of keys) {
      const events = s.events.filter((e) => e.key_id === key);
      const n = deniedIds(events).size;
      expect(n).toBeGreaterThanOrEqual(6);
      expect(n).toBeLessThanOrEqual(10);
      expect(idEnumerationStats(events, 61).maxDistinct).toBeLessThanOrEqual(10);
    }
    expect(deniedIds(s.events).size).toBeGreaterThanOrEqual(84);
    const denials = s.events.filter(isDenial);
    expect((denials.at(-1)?.ts ?? 0) - (denials[0]?.ts ?? 0)).toBeLessThan(10 * MINUTE);
    const stats = distributedStats(s.events, 10, 6);
    expect(stats.keys).toBe(12);
    expect(stats.combined).toBeGreaterThanOrEqual(80);
  });
});

describe('cross-environment', () => {
  const byEnvOnly = (events: GeneratedEvent[]) =>
    events.filter((e) => e.resource_env !== undefined && e.resource_env !== null).length;
  const byMarkerOnly = (events: GeneratedEvent[]) =>
    events.filter((e) => {
      const env = markerEnv(resourceIdOf(e) ?? '');
      return env !== null && env !== e.env;
    }).length;

  it.each(SEEDS)('staging IDs in production: ≥ 5 by either signal in 10 min (seed %i)', (seed) => {
    const s = crossEnvironmentStagingIdsInProduction(ctx(seed, { env: 'staging' }));
    const events = keyEvents(s);
    expect(events.every((e) => e.env === 'production')).toBe(true);
    expect(keyOf(s)).toMatch(/^key_live_/);
    const cross = events.filter((e) => foreignEnv(e) !== null);
    expect(cross).toHaveLength(10);
    expect(cross.every((e) => isDenial(e) && foreignEnv(e) === 'staging')).toBe(true);
    expect(byEnvOnly(cross)).toBeGreaterThanOrEqual(5);
    expect(byMarkerOnly(cross)).toBeGreaterThanOrEqual(5);
    expect(cross.some((e) => resourceIdOf(e)?.startsWith('sub_test_'))).toBe(true);
    expect(crossEnvironmentCount(events, 10)).toBe(10);
  });

  it.each(SEEDS)('production IDs in staging: ≥ 5 by either signal in 10 min (seed %i)', (seed) => {
    const s = crossEnvironmentProductionIdsInStaging(ctx(seed));
    const events = keyEvents(s);
    expect(events.every((e) => e.env === 'staging')).toBe(true);
    expect(keyOf(s)).toMatch(/^key_test_/);
    const cross = events.filter((e) => foreignEnv(e) !== null);
    expect(cross.every((e) => isDenial(e) && foreignEnv(e) === 'production')).toBe(true);
    expect(byEnvOnly(cross)).toBeGreaterThanOrEqual(5);
    expect(byMarkerOnly(cross)).toBeGreaterThanOrEqual(5);
    expect(cross.some((e) => resourceIdOf(e)?.startsWith('sub_live_'))).toBe(true);
    expect(crossEnvironmentCount(events, 10)).toBeGreaterThanOrEqual(5);
  });
});

describe('crossTenant', () => {
  it.each(SEEDS)(
    '24 distinct foreign resources in 8 min, spread or concentrated (seed %i)',
    (seed) => {
      const spread = keyEvents(crossTenant(ctx(seed)));
      const spreadStats = crossTenantStats(spread, 10);
      expect(spreadStats.maxDistinct).toBe(24);
      expect(spreadStats.topOwnerShare).toBeLessThanOrEqual(0.5);
      expect(spread.filter(isDenial).every((e) => typeof e.resource_owner === 'string')).toBe(true);
      expect(idEnumerationStats(spread, 6).maxDistinct).toBeLessThan(50);

      const concentrated = keyEvents(crossTenant(ctx(seed), { concentrated: true }));
      const stats = crossTenantStats(concentrated, 10);
      expect(stats.maxDistinct).toBe(24);
      expect(stats.topOwnerShare).toBe(1);
    },
  );
});

describe('foreignAccessSuccess', () => {
  it.each(SEEDS)('one 200 on another account’s invoice between denials (seed %i)', (seed) => {
    const s = foreignAccessSuccess(ctx(seed));
    const events = keyEvents(s);
    const account = s.expect[0]?.subject.account_id;
    const leaks = events.filter(
      (e) =>
        e.status === 200 && typeof e.resource_owner === 'string' && e.resource_owner !== account,
    );
    expect(leaks).toHaveLength(1);
    const leak = leaks[0];
    expect(leak?.route).toBe('/v1/invoices/{invoice_id}/pdf');
    const denials = events.filter(isDenial);
    expect(denials.every((e) => e.resource_owner === leak?.resource_owner)).toBe(true);
    expect(denials.some((e) => e.ts < (leak?.ts ?? 0))).toBe(true);
    expect(denials.some((e) => e.ts > (leak?.ts ?? 0))).toBe(true);
  });
});

describe('staleResourceIds', () => {
  it.each(SEEDS)('80 denials on 2 IDs over about 39 minutes, amid 200s (seed %i)', (seed) => {
    const events = keyEvents(staleResourceIds(ctx(seed)));
    const stats = staleStrictStats(events);
    expect(stats.denials).toBe(80);
    expect(stats.distinct).toBe(2);
    expect(stats.persistMinutes).toBeGreaterThan(38.5);
    expect(events.filter(isDenial).every((e) => e.resource_owner === null)).toBe(true);
    expect(events.filter((e) => e.status === 200).length).toBeGreaterThan(100);
    expect(idEnumerationStats(events, 61).maxDistinct).toBe(2);
  });
});
