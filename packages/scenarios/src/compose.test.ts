import { describe, expect, it } from 'vitest';
import type { GeneratedEvent } from './event-stream.js';
import { HOUR } from './builder.js';
import { expectationFailures, indexStream, resourceIdOf } from './catalog-reference.js';
import { allScenarios, composeStream, toNdjson } from './index.js';
import type { LabelledScenario } from './index.js';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const SEEDS = [1, 2, 3];
const streams = new Map(SEEDS.map((seed) => [seed, allScenarios(seed, T0 + seed * 1_001)]));

function stream(seed: number) {
  const s = streams.get(seed);
  if (s === undefined) throw new Error(`no stream for seed ${seed}`);
  return s;
}

const ENV_KEY_PREFIX: Record<string, string> = {
  production: 'key_live_',
  staging: 'key_test_',
};

const ID_SHAPES: Record<string, RegExp> = {
  invoice: /^inv_\d{6}$/,
  subscription: /^sub_(?:(?:test|live)_)?(?=[0-9A-Z]*[GHJKMNP-TV-Z])[0-7][0-9A-HJKMNP-TV-Z]{25}$/,
  customer: /^cus_[0-9A-Za-z]{14}$/,
  document: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  file: /^file_(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{16}$/,
};

/** What is unrealistic about an event, per the input contract v1 and the brief. */
function problems(e: GeneratedEvent): string[] {
  const out: string[] = [];
  if (!Number.isInteger(e.ts)) out.push('ts is not integer epoch ms');
  if (!/^req_[0-9a-z]{16}$/.test(e.request_id)) out.push('request_id');
  if (!e.key_id?.startsWith(ENV_KEY_PREFIX[e.env] ?? '?')) out.push('key prefix vs env');
  if (!/^acct_[0-9A-Za-z]{16}$/.test(e.account_id ?? '')) out.push('account_id');
  if (!['GET', 'POST'].includes(e.method)) out.push('method');
  const route = e.route ?? '';
  const routeParts = route.split('/');
  const pathParts = (e.path.split('?')[0] ?? '').split('/');
  if (routeParts.length !== pathParts.length) out.push('path does not match route');
  routeParts.forEach((part, i) => {
    if (!part.startsWith('{') && part !== pathParts[i]) out.push('literal route segment');
  });
  const id = resourceIdOf(e);
  if (id !== null) {
    const shape = ID_SHAPES[e.resource_type ?? ''];
    if (shape === undefined || !shape.test(id)) out.push(`id ${id} of ${e.resource_type}`);
    if (!route.includes(`/{${e.resource_type}_id}`)) out.push('route param');
  }
  const denial = e.status === 403;
  if (denial !== (e.error === 'ownership_denied')) out.push('denial ⇔ ownership_denied');
  if (e.status < 300 && e.error !== null) out.push('error on 2xx');
  if (e.resource_env !== undefined && (e.resource_env === e.env || id === null)) {
    out.push('resource_env only for another environment');
  }
  if (id === null && e.resource_owner !== undefined) out.push('owner without resource');
  if (denial && id === null) out.push('denial without resource');
  if (!/^10\.\d+\.\d+\.\d+$/.test(e.client_ip ?? '')) out.push('client_ip');
  if ((e.user_agent ?? '') === '') out.push('user_agent');
  if (!(typeof e.latency_ms === 'number' && e.latency_ms > 0)) out.push('latency_ms');
  return out;
}

/** Keys, accounts (callers and owners) and IPs a scenario names. */
function namesOf(s: LabelledScenario): Set<string> {
  const names = new Set<string>();
  for (const e of s.events) {
    names.add(e.key_id ?? '');
    names.add(e.account_id ?? '');
    names.add(e.client_ip ?? '');
    if (typeof e.resource_owner === 'string') names.add(e.resource_owner);
  }
  return names;
}

describe('allScenarios', () => {
  it('is the same stream for the same seed and another for another seed', () => {
    expect(allScenarios(1, T0 + 1_001)).toEqual(stream(1));
    expect(stream(2).events.slice(0, 50)).not.toEqual(stream(1).events.slice(0, 50));
  });

  it('holds one instance of every attack and benign shape', () => {
    expect(stream(1).scenarios.map((s) => s.name)).toEqual([
      'attack:id-enumeration:sequential',
      'attack:id-enumeration:random',
      'attack:id-enumeration:slow',
      'attack:distributed-enumeration',
      'attack:cross-environment:staging-ids-in-production',
      'attack:cross-environment:production-ids-in-staging',
      'attack:cross-tenant:spread',
      'attack:cross-tenant:concentrated',
      'attack:foreign-access-success',
      'attack:stale-resource-ids',
      'benign:retry-one-id',
      'benign:few-stale-ids-polled-for-hours',
      'benign:busy-key-low-deny-ratio',
      'benign:many-keys-rarely-denied',
      'benign:corporate-nat',
      'benign:staging-using-staging-ids',
      'benign:background',
    ]);
  });

  it.each(SEEDS)('has unique request IDs, sorted times inside 2 hours (seed %i)', (seed) => {
    const { events, scenarios } = stream(seed);
    expect(events.length).toBe(scenarios.reduce((n, s) => n + s.events.length, 0));
    expect(new Set(events.map((e) => e.request_id)).size).toBe(events.length);
    const start = T0 + seed * 1_001;
    const unsorted = [events, ...scenarios.map((s) => s.events)].filter((list) =>
      list.some((e, i) => i > 0 && e.ts < list[i - 1]!.ts),
    );
    expect(unsorted).toHaveLength(0);
    expect(events[0]!.ts).toBeGreaterThanOrEqual(start);
    expect(events.at(-1)!.ts).toBeLessThan(start + 2 * HOUR);
  });

  it.each(SEEDS)('has realistic events (seed %i)', (seed) => {
    const found = new Map<string, number>();
    for (const e of stream(seed).events) {
      for (const p of problems(e)) found.set(p, (found.get(p) ?? 0) + 1);
    }
    expect(Object.fromEntries(found)).toEqual({});
  });

  it.each(SEEDS)('shares no key, account or IP between scenarios (seed %i)', (seed) => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const s of stream(seed).scenarios) {
      for (const name of namesOf(s)) {
        const first = owner.get(name);
        if (first !== undefined && first !== s.name) clashes.push(`${name}: ${first} / ${s.name}`);
        owner.set(name, s.name);
      }
    }
    expect(clashes).toEqual([]);
  });

  it.each(SEEDS)('keeps every label true in the mixed stream (seed %i)', (seed) => {
    const { events, scenarios } = stream(seed);
    const index = indexStream(events);
    expect(scenarios.flatMap((s) => expectationFailures(s, index))).toEqual([]);
    // Every labelled subject is one of the scenario's own keys, accounts or IPs.
    const strangers = scenarios.flatMap((s) => {
      const names = namesOf(s);
      return [...s.expect, ...(s.silent ?? [])]
        .flatMap(({ subject }) => [subject.key_id, subject.account_id, subject.client_ip])
        .filter((value) => value !== undefined && !names.has(value));
    });
    expect(strangers).toEqual([]);
  });
});

describe('composeStream', () => {
  const a = stream(1).scenarios[0]!;
  const b = stream(1).scenarios[1]!;

  it('merges scenarios by time', () => {
    const { events, scenarios } = composeStream([a, b]);
    expect(scenarios).toEqual([a, b]);
    expect(events).toHaveLength(a.events.length + b.events.length);
    expect(events.map((e) => e.ts)).toEqual([...events.map((e) => e.ts)].sort((x, y) => x - y));
  });

  it('refuses a request ID twice', () => {
    expect(() => composeStream([a, a])).toThrow(/appears twice/);
  });
});

describe('toNdjson', () => {
  it('writes one parseable object per line', () => {
    const events = stream(1).events.slice(0, 100);
    const text = toNdjson(events);
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(events);
    expect(toNdjson([])).toBe('');
  });
});
