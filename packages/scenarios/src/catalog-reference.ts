/**
 * Plain in-memory reading of the rule catalog's default thresholds, for the generators' own
 * tests: it checks that an attack crosses its rule's threshold and a benign shape stays under.
 * It is not the detector (that one works on ClickHouse aggregates) and is not exported.
 *
 * Two readings of each rule:
 *   - `strict`, for attacks: windows of exactly W whole minutes and the brief's numbers where
 *     they are stricter than the catalog's (an attack must fire under any sane implementation);
 *   - `loose`, for benign shapes: W + 1 minute buckets (a sliding W-minute window touches that
 *     many), the lowest plausible thresholds (a benign shape must not fire under any of them).
 */
import { RULE_SUBJECT_KINDS } from '@denyscope/alerts';
import { DEFAULT_ENV_MARKERS } from '@denyscope/events';
import type { GeneratedEvent } from './event-stream.js';
import type { LabelledScenario, RuleId, ScenarioSubject, Severity } from './types.js';

export type Mode = 'strict' | 'loose';

export interface Verdict {
  fires: boolean;
  severity?: Severity;
}

const MINUTE = 60_000;

// The markers are data of the contract, not logic under test: the defaults ingest uses.
const MARKERS = DEFAULT_ENV_MARKERS;

export function isDenial(event: GeneratedEvent): boolean {
  return event.status === 403 && event.error === 'ownership_denied';
}

/** The path segment under the route's last `{param}`; null for collection routes. */
export function resourceIdOf(event: GeneratedEvent): string | null {
  if (event.resource_id !== undefined) return event.resource_id;
  if (event.route === undefined) return null;
  const route = event.route.split('/');
  const path = (event.path.split('?')[0] ?? '').split('/');
  for (let i = route.length - 1; i >= 0; i -= 1) {
    if ((route[i] ?? '').startsWith('{')) return decodeURIComponent(path[i] ?? '');
  }
  return null;
}

/** Environment named by a marker segment after the type prefix (`sub_test_…` → staging). */
export function markerEnv(id: string): string | null {
  const segments = id.split('_');
  for (let i = 1; i < segments.length - 1; i += 1) {
    const env = MARKERS[(segments[i] ?? '').toLowerCase()];
    if (env !== undefined) return env;
  }
  return null;
}

/** The environment the addressed resource belongs to, when it is not the one it was seen in. */
export function foreignEnv(event: GeneratedEvent): string | null {
  const id = resourceIdOf(event);
  const env = event.resource_env ?? (id === null ? null : markerEnv(id));
  return env !== null && env !== event.env ? env : null;
}

function isForeignExisting(event: GeneratedEvent): boolean {
  return (
    event.resource_owner !== undefined &&
    event.resource_owner !== null &&
    event.resource_owner !== event.account_id
  );
}

/** Events of `[m, m + width)` minute buckets for each minute m that starts with an event. */
export function minuteWindows(
  events: readonly GeneratedEvent[],
  width: number,
): GeneratedEvent[][] {
  const out: GeneratedEvent[][] = [];
  let j = 0;
  let previous = Number.NaN;
  for (let i = 0; i < events.length; i += 1) {
    const m = Math.floor((events[i]?.ts ?? 0) / MINUTE);
    if (m === previous) continue;
    previous = m;
    j = Math.max(j, i);
    while (j < events.length && Math.floor((events[j]?.ts ?? 0) / MINUTE) < m + width) j += 1;
    out.push(events.slice(i, j));
  }
  return out;
}

function distinctDenied(events: readonly GeneratedEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const e of events) if (isDenial(e)) ids.add(resourceIdOf(e) ?? '');
  return ids;
}

/** Same reading as the detector's: sorted distinct numbers, most neighbour gaps ≤ 2. */
export function looksSequential(ids: Iterable<string>): boolean {
  const numbers = [...ids]
    .map((id) => /_(\d+)$/.exec(id)?.[1] ?? /^(\d+)$/.exec(id)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  if (sorted.length < 20) return false;
  let small = 0;
  for (let i = 1; i < sorted.length; i += 1) {
    if ((sorted[i] ?? 0) - (sorted[i - 1] ?? 0) <= 2) small += 1;
  }
  return small / (sorted.length - 1) >= 0.8;
}

export interface IdEnumerationStats {
  maxDistinct: number;
  ratioAtMax: number;
}

/** Largest distinct denied-ID count in a `width`-minute window, and the deny ratio there. */
export function idEnumerationStats(
  keyEvents: readonly GeneratedEvent[],
  width: number,
): IdEnumerationStats {
  let best: IdEnumerationStats = { maxDistinct: 0, ratioAtMax: 0 };
  for (const window of minuteWindows(keyEvents, width)) {
    const distinct = distinctDenied(window).size;
    if (distinct > best.maxDistinct) {
      const denials = window.filter(isDenial).length;
      best = { maxDistinct: distinct, ratioAtMax: denials / window.length };
    }
  }
  return best;
}

function idEnumeration(keyEvents: readonly GeneratedEvent[], mode: Mode): Verdict {
  const pad = mode === 'strict' ? 0 : 1;
  for (const [minutes, threshold] of [
    [5, 50],
    [60, 150],
  ] as const) {
    for (const window of minuteWindows(keyEvents, minutes + pad)) {
      const ids = distinctDenied(window);
      if (ids.size < threshold) continue;
      if (window.filter(isDenial).length / window.length >= 0.5) {
        return { fires: true, severity: looksSequential(ids) ? 'critical' : 'high' };
      }
    }
  }
  return { fires: false };
}

export interface DistributedStats {
  /** Keys with at least `perKey` distinct denied IDs, in the best window. */
  keys: number;
  combined: number;
}

export function distributedStats(
  ipEvents: readonly GeneratedEvent[],
  width: number,
  perKey: number,
): DistributedStats {
  let best: DistributedStats = { keys: 0, combined: 0 };
  for (const window of minuteWindows(ipEvents, width)) {
    const byKey = new Map<string, Set<string>>();
    for (const e of window) {
      if (!isDenial(e)) continue;
      const ids = byKey.get(e.key_id ?? '') ?? new Set<string>();
      ids.add(resourceIdOf(e) ?? '');
      byKey.set(e.key_id ?? '', ids);
    }
    const keys = [...byKey.values()].filter((ids) => ids.size >= perKey).length;
    const combined = distinctDenied(window).size;
    if (keys > best.keys || (keys === best.keys && combined > best.combined)) {
      best = { keys, combined };
    }
  }
  return best;
}

function distributed(ipEvents: readonly GeneratedEvent[], mode: Mode): Verdict {
  const stats =
    mode === 'strict' ? distributedStats(ipEvents, 10, 6) : distributedStats(ipEvents, 16, 3);
  const fires = stats.keys >= 10 && (mode === 'loose' || stats.combined >= 80);
  return fires ? { fires, severity: 'high' } : { fires };
}

/** Most cross-environment requests of the key in a `width`-minute window. */
export function crossEnvironmentCount(keyEvents: readonly GeneratedEvent[], width: number): number {
  let best = 0;
  for (const window of minuteWindows(keyEvents, width)) {
    best = Math.max(best, window.filter((e) => foreignEnv(e) !== null).length);
  }
  return best;
}

function crossEnvironment(keyEvents: readonly GeneratedEvent[], mode: Mode): Verdict {
  if (mode === 'loose') return { fires: keyEvents.some((e) => foreignEnv(e) !== null) };
  if (crossEnvironmentCount(keyEvents, 10) < 5) return { fires: false };
  const productionDown = keyEvents.some(
    (e) => e.env !== 'production' && foreignEnv(e) === 'production',
  );
  return { fires: true, severity: productionDown ? 'high' : 'medium' };
}

export interface CrossTenantStats {
  maxDistinct: number;
  /** Share of the top owner among those resources, in the best window. */
  topOwnerShare: number;
}

export function crossTenantStats(
  keyEvents: readonly GeneratedEvent[],
  width: number,
): CrossTenantStats {
  let best: CrossTenantStats = { maxDistinct: 0, topOwnerShare: 0 };
  for (const window of minuteWindows(keyEvents, width)) {
    const owners = new Map<string, string>();
    for (const e of window) {
      if (isForeignExisting(e)) owners.set(resourceIdOf(e) ?? '', e.resource_owner ?? '');
    }
    if (owners.size <= best.maxDistinct) continue;
    const perOwner = new Map<string, number>();
    for (const owner of owners.values()) perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
    best = {
      maxDistinct: owners.size,
      topOwnerShare: Math.max(...perOwner.values()) / owners.size,
    };
  }
  return best;
}

function crossTenant(keyEvents: readonly GeneratedEvent[], mode: Mode): Verdict {
  const stats = crossTenantStats(keyEvents, mode === 'strict' ? 10 : 16);
  if (stats.maxDistinct < (mode === 'strict' ? 15 : 10)) return { fires: false };
  return { fires: true, severity: stats.topOwnerShare >= 0.8 ? 'critical' : 'high' };
}

function foreignAccessSuccess(keyEvents: readonly GeneratedEvent[]): Verdict {
  const fires = keyEvents.some((e) => e.status >= 200 && e.status < 300 && isForeignExisting(e));
  return fires ? { fires, severity: 'critical' } : { fires };
}

export interface StaleStats {
  denials: number;
  distinct: number;
  persistMinutes: number;
}

/** Strict: a 60-minute window whose denials all fall on ≤ 3 IDs, ≥ 20 of them, ≥ 30 min apart. */
export function staleStrictStats(keyEvents: readonly GeneratedEvent[]): StaleStats {
  let best: StaleStats = { denials: 0, distinct: 0, persistMinutes: 0 };
  for (const window of minuteWindows(keyEvents.filter(isDenial), 60)) {
    const distinct = distinctDenied(window).size;
    if (distinct > 3 || window.length <= best.denials) continue;
    const first = window[0]?.ts ?? 0;
    const last = window[window.length - 1]?.ts ?? 0;
    best = { denials: window.length, distinct, persistMinutes: (last - first) / MINUTE };
  }
  return best;
}

/** Loose: the key's 3 most denied IDs over the whole stream, however many others it has. */
export function staleLooseStats(keyEvents: readonly GeneratedEvent[]): StaleStats {
  const byId = new Map<string, number[]>();
  for (const e of keyEvents) {
    if (!isDenial(e)) continue;
    const id = resourceIdOf(e) ?? '';
    const times = byId.get(id) ?? [];
    times.push(e.ts);
    byId.set(id, times);
  }
  const top = [...byId.values()]
    .sort((a, b) => b.length - a.length)
    .slice(0, 3)
    .flat();
  if (top.length === 0) return { denials: 0, distinct: 0, persistMinutes: 0 };
  return {
    denials: top.length,
    distinct: Math.min(3, byId.size),
    persistMinutes: (Math.max(...top) - Math.min(...top)) / MINUTE,
  };
}

function staleResourceIds(keyEvents: readonly GeneratedEvent[], mode: Mode): Verdict {
  const s = mode === 'strict' ? staleStrictStats(keyEvents) : staleLooseStats(keyEvents);
  const fires = s.denials >= 20 && s.persistMinutes >= 30;
  return fires ? { fires, severity: 'info' } : { fires };
}

/** A stream split by key and by client IP, so that each verdict reads only its subject. */
export interface StreamIndex {
  byKey: Map<string, GeneratedEvent[]>;
  byIp: Map<string, GeneratedEvent[]>;
}

export function indexStream(stream: readonly GeneratedEvent[]): StreamIndex {
  const index: StreamIndex = { byKey: new Map(), byIp: new Map() };
  const add = (map: Map<string, GeneratedEvent[]>, key: string, event: GeneratedEvent) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [event]);
    else list.push(event);
  };
  for (const event of [...stream].sort((a, b) => a.ts - b.ts)) {
    add(index.byKey, event.key_id ?? '', event);
    add(index.byIp, event.client_ip ?? '', event);
  }
  return index;
}

/**
 * The subject's events, by the rule's subject kind: by `client_ip` for a network rule, by `key_id`
 * for a key rule; none for a component (the pipeline's own, not a stream's).
 */
export function subjectEvents(
  index: StreamIndex,
  rule: RuleId,
  subject: ScenarioSubject,
): GeneratedEvent[] {
  switch (RULE_SUBJECT_KINDS[rule]) {
    case 'network':
      return index.byIp.get(subject.client_ip ?? '') ?? [];
    case 'key':
      return index.byKey.get(subject.key_id ?? '') ?? [];
    case 'component':
      return [];
  }
}

/** Whether `rule` fires for `subject` in the indexed stream, in the given reading. */
export function verdict(
  index: StreamIndex,
  rule: RuleId,
  subject: ScenarioSubject,
  mode: Mode,
): Verdict {
  const events = subjectEvents(index, rule, subject);
  switch (rule) {
    case 'id-enumeration':
      return idEnumeration(events, mode);
    case 'distributed-enumeration':
      return distributed(events, mode);
    case 'cross-environment':
      return crossEnvironment(events, mode);
    case 'cross-tenant':
      return crossTenant(events, mode);
    case 'foreign-access-success':
      return foreignAccessSuccess(events);
    case 'stale-resource-ids':
      return staleResourceIds(events, mode);
    case 'pipeline-health':
      // Operational (the pipeline's own clocks and failures): never fires on a stream's events.
      return { fires: false };
  }
}

/**
 * What is wrong with a scenario's labels on `index` (empty when nothing): an attack's rule must
 * fire (strict) at the labelled severity; its `silent` rules and a benign shape's `expect` rules
 * must stay silent (loose).
 */
export function expectationFailures(scenario: LabelledScenario, index: StreamIndex): string[] {
  const failures: string[] = [];
  const who = (s: ScenarioSubject) => s.key_id ?? s.client_ip ?? '?';
  for (const e of scenario.expect) {
    if (scenario.kind === 'attack') {
      const v = verdict(index, e.rule, e.subject, 'strict');
      if (!v.fires)
        failures.push(`${scenario.name}: ${e.rule} does not fire for ${who(e.subject)}`);
      else if (v.severity !== e.severity) {
        failures.push(`${scenario.name}: ${e.rule} fires at ${v.severity}, labelled ${e.severity}`);
      }
    } else if (verdict(index, e.rule, e.subject, 'loose').fires) {
      failures.push(`${scenario.name}: ${e.rule} may fire for ${who(e.subject)}`);
    }
  }
  for (const e of scenario.silent ?? []) {
    if (verdict(index, e.rule, e.subject, 'loose').fires) {
      failures.push(`${scenario.name}: ${e.rule} may fire for ${who(e.subject)} (labelled silent)`);
    }
  }
  return failures;
}
