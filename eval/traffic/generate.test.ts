import { parseEvent } from '@denyscope/events';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sameClients } from '../score/cidr.js';
import { CLASS_IDS, EPISODE_CLASSES } from './episodes/catalog.js';
import { type Traffic, generateTraffic } from './generate.js';
import type { Label } from './labels.js';

interface Wire {
  ts: string | number;
  request_id: string;
  env: string;
  method: string;
  path: string;
  route?: string;
  status: number;
  key_id: string | null;
  account_id: string | null;
  error?: string | null;
  resource_id?: string;
  resource_owner?: string | null;
  resource_env?: string;
  client_ip: string;
  gateway: string;
}

const OPTIONS = { seed: 11, hours: 1, accounts: 100 };

function digest(traffic: Traffic): string {
  const hash = createHash('sha256');
  for (const line of traffic.lines) hash.update(`${line.text}\n`);
  return hash.digest('hex');
}

/** The addressed ID as ingest would see it: given, else the path's last segment. */
function idOf(e: Wire): string {
  return e.resource_id ?? decodeURIComponent(e.path.split('?')[0]?.split('/').at(-1) ?? '');
}

const isDenial = (e: Wire) => e.status === 403 && e.error === 'ownership_denied';

describe('generateTraffic', () => {
  let traffic: Traffic;
  /** Parsed event lines (kind `event`) with their episode. */
  let events: { e: Wire; episode: string | null; ts: number }[];
  let byLabel: Map<string, Wire[]>;

  beforeAll(() => {
    traffic = generateTraffic(OPTIONS);
    events = traffic.lines
      .filter((l) => l.kind === 'event')
      .map((l) => ({ e: JSON.parse(l.text) as Wire, episode: l.episode, ts: l.ts ?? 0 }));
    byLabel = new Map();
    for (const { e, episode } of events) {
      if (episode === null) continue;
      const list = byLabel.get(episode);
      if (list === undefined) byLabel.set(episode, [e]);
      else list.push(e);
    }
  });

  const label = (cls: string): Label[] => traffic.labels.filter((l) => l.class === cls);
  const eventsOf = (l: Label): Wire[] => byLabel.get(l.id) ?? [];

  it('is deterministic per seed, and differs between seeds', () => {
    const again = generateTraffic(OPTIONS);
    expect(digest(again)).toBe(digest(traffic));
    expect(again.labels).toEqual(traffic.labels);
    expect(digest(generateTraffic({ ...OPTIONS, seed: 12 }))).not.toBe(digest(traffic));
  });

  it('labels every attack and benign class, each with its expected rule', () => {
    for (const cls of CLASS_IDS) {
      const labels = label(cls);
      expect(labels.length, cls).toBeGreaterThanOrEqual(1);
      for (const l of labels) {
        expect(l.kind).toBe(EPISODE_CLASSES[cls].kind);
        expect(l.expected_rule).toBe(EPISODE_CLASSES[cls].expectedRule);
        expect(l.expected_to_page).toBe(l.kind === 'attack');
        expect(l.events).toBeGreaterThan(0);
      }
    }
    expect(new Set(traffic.labels.map((l) => l.id)).size).toBe(traffic.labels.length);
  });

  it('keeps labels consistent with their events: subjects, span and count', () => {
    const grouped = new Map<string, typeof events>();
    for (const x of events) {
      if (x.episode === null) continue;
      const list = grouped.get(x.episode);
      if (list === undefined) grouped.set(x.episode, [x]);
      else list.push(x);
    }
    for (const l of traffic.labels) {
      const mine = grouped.get(l.id) ?? [];
      expect(mine.length, l.id).toBe(l.events);
      const start = Date.parse(l.start);
      const end = Date.parse(l.end);
      for (const { e, ts } of mine) {
        expect(l.subjects.key_ids).toContain(e.key_id);
        expect(l.subjects.account_ids).toContain(e.account_id);
        expect(
          l.subjects.client_ips.some((ip) => sameClients(e.client_ip, ip)),
          l.id,
        ).toBe(true);
        expect(ts).toBeGreaterThanOrEqual(start);
        expect(ts).toBeLessThanOrEqual(end);
      }
    }
  });

  it('gives no two labels a key in common', () => {
    const owner = new Map<string, string>();
    for (const l of traffic.labels) {
      for (const key of l.subjects.key_ids) {
        expect(owner.get(key), `${key} in ${l.id}`).toBeUndefined();
        owner.set(key, l.id);
      }
    }
  });

  it('writes contract-valid v1 events; malformed lines are rejected', () => {
    const now = () => traffic.endMs + 3_600_000;
    const failures: string[] = [];
    for (const line of traffic.lines) {
      const parsed = parseEvent(line.text, { now });
      if (line.kind === 'malformed') {
        if (parsed.ok) failures.push(`accepted malformed: ${line.text.slice(0, 120)}`);
      } else if (!parsed.ok) {
        failures.push(`${line.kind} rejected (${parsed.reason}): ${line.text.slice(0, 120)}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    const kinds = new Set(traffic.lines.map((l) => l.kind));
    expect([...kinds].sort()).toEqual(['duplicate', 'event', 'hostile', 'malformed']);
  });

  it('is mostly 2xx, with 401, 404, 429 and 5xx at small rates and few denials', () => {
    const background = events.filter((x) => x.episode === null).map((x) => x.e);
    const share = (f: (e: Wire) => boolean) => background.filter(f).length / background.length;
    expect(share((e) => e.status >= 200 && e.status < 300)).toBeGreaterThan(0.9);
    expect(share(isDenial)).toBeLessThan(0.02);
    for (const status of [401, 404, 429]) {
      expect(
        share((e) => e.status === status),
        String(status),
      ).toBeGreaterThan(0.0005);
      expect(
        share((e) => e.status === status),
        String(status),
      ).toBeLessThan(0.02);
    }
    expect(share((e) => e.status >= 500)).toBeGreaterThan(0);
    // A denial is 403 ownership_denied, and nothing else uses that error.
    expect(events.every(({ e }) => (e.error === 'ownership_denied') === (e.status === 403))).toBe(
      true,
    );
  });

  it('models three gateways: a lagging clock up to 2 min and a legacy format', () => {
    const legacy = events.filter(({ e }) => e.gateway === 'gw-legacy').map((x) => x.e);
    expect(legacy.length).toBeGreaterThan(0);
    expect(
      legacy.every(
        (e) => typeof e.ts === 'number' && e.route === undefined && e.resource_id === undefined,
      ),
    ).toBe(true);
    const lagging = traffic.lines.filter(
      (l) => l.kind === 'event' && l.text.includes('"gw-lagging"'),
    );
    const lags = lagging.map((l) => l.arrival - (l.ts ?? 0));
    expect(Math.max(...lags)).toBeLessThanOrEqual(120_000 + 400);
    expect(Math.max(...lags)).toBeGreaterThan(60_000);
    // Ordered by arrival, so the lagging gateway's events are out of order in event time.
    let inversions = 0;
    for (let i = 1; i < events.length; i += 1) {
      if ((events[i]?.ts ?? 0) < (events[i - 1]?.ts ?? 0) - 5_000) inversions += 1;
    }
    expect(inversions).toBeGreaterThan(100);
  });

  it('duplicates some lines verbatim and addresses clients over IPv4, IPv6, a NAT and a CI egress', () => {
    const duplicates = traffic.lines.filter((l) => l.kind === 'duplicate');
    const texts = new Set(traffic.lines.filter((l) => l.kind === 'event').map((l) => l.text));
    expect(duplicates.length).toBeGreaterThan(0);
    expect(duplicates.every((d) => texts.has(d.text))).toBe(true);
    expect(events.some(({ e }) => e.client_ip.includes(':'))).toBe(true);
    const accountsByIp = new Map<string, Set<string>>();
    for (const { e } of events) {
      const set = accountsByIp.get(e.client_ip) ?? new Set<string>();
      set.add(e.account_id ?? '');
      accountsByIp.set(e.client_ip, set);
    }
    expect(Math.max(...[...accountsByIp.values()].map((s) => s.size))).toBeGreaterThanOrEqual(10);
  });

  it('numbers invoices from one sequence: scans land on other tenants', () => {
    for (const l of label('sequential-scan')) {
      const denied = eventsOf(l).filter(isDenial);
      const foreign = denied.filter(
        (e) => e.resource_owner !== null && e.resource_owner !== e.account_id,
      );
      expect(denied.length).toBeGreaterThanOrEqual(80);
      if (l.params.direction === -1) expect(foreign.length).toBeGreaterThan(denied.length / 2);
    }
  });

  it('shapes the evasive scans as described', () => {
    for (const l of label('padded-scan')) {
      const mine = eventsOf(l);
      expect(mine.filter(isDenial).length / mine.length).toBeLessThan(0.2);
      // The padding: a handful of own resources read over and over (a guess may hit one more).
      const reads = new Map<string, number>();
      for (const e of mine.filter((x) => x.status === 200)) {
        reads.set(idOf(e), (reads.get(idOf(e)) ?? 0) + 1);
      }
      const padding = [...reads.values()].filter((n) => n >= 10).length;
      expect(padding).toBeGreaterThanOrEqual(3);
      expect(padding).toBeLessThanOrEqual(5);
    }
    for (const l of label('slow-scan')) {
      const times = eventsOf(l)
        .filter(isDenial)
        .map((e) => (typeof e.ts === 'number' ? e.ts : Date.parse(e.ts)));
      times.sort((a, b) => a - b);
      let most = 0;
      for (let i = 0, j = 0; i < times.length; i += 1) {
        while ((times[i] ?? 0) - (times[j] ?? 0) >= 5 * 60_000) j += 1;
        most = Math.max(most, i - j + 1);
      }
      expect(times.length).toBeGreaterThanOrEqual(150);
      expect(most).toBeLessThan(50);
    }
    for (const l of [...label('distributed-scan-ipv4'), ...label('distributed-scan-ipv6')]) {
      const network = l.subjects.client_ips[0] ?? '';
      expect(network).toMatch(l.class.endsWith('ipv4') ? /\.0\/24$/ : /::\/64$/);
      expect(l.subjects.key_ids.length).toBeGreaterThanOrEqual(20);
      const perKey = new Map<string, Set<string>>();
      for (const e of eventsOf(l).filter(isDenial)) {
        perKey.set(e.key_id ?? '', (perKey.get(e.key_id ?? '') ?? new Set()).add(idOf(e)));
      }
      expect(Math.max(...[...perKey.values()].map((s) => s.size))).toBeLessThanOrEqual(6);
    }
  });

  it('gives cross-tenant and cross-environment episodes the platform facts they rest on', () => {
    for (const l of label('cross-tenant-probing')) {
      const foreign = new Set(
        eventsOf(l)
          .filter(
            (e) => isDenial(e) && e.resource_owner !== null && e.resource_owner !== e.account_id,
          )
          .map(idOf),
      );
      expect(foreign.size).toBeGreaterThanOrEqual(10);
      expect(foreign.size).toBeLessThanOrEqual(40);
    }
    for (const l of label('foreign-access-success')) {
      expect(eventsOf(l).some((e) => e.status === 200 && e.resource_owner !== e.account_id)).toBe(
        true,
      );
    }
    for (const l of label('cross-env-production-ids-in-staging')) {
      const leaks = eventsOf(l).filter(
        (e) => e.env === 'staging' && e.resource_env === 'production',
      );
      expect(leaks.length).toBeGreaterThanOrEqual(5);
      expect(leaks.every((e) => e.resource_owner === e.account_id)).toBe(true);
    }
    for (const l of label('cross-env-staging-in-production')) {
      expect(
        eventsOf(l).filter((e) => e.env === 'production' && e.resource_env === 'staging').length,
      ).toBeGreaterThanOrEqual(5);
    }
  });

  it('lets benign bulk jobs deny only what their own account deleted or never had', () => {
    const deletedBy = new Map<string, string>();
    for (const { e } of events) {
      if (e.method === 'DELETE' && e.status < 300) deletedBy.set(idOf(e), e.account_id ?? '');
    }
    for (const cls of ['migration-walk', 'cleanup-readback', 'ci-shared-egress']) {
      for (const l of label(cls)) {
        const denied = eventsOf(l).filter(isDenial);
        expect(denied.length, l.id).toBeGreaterThan(0);
        for (const e of denied) {
          expect(e.resource_owner, l.id).toBeNull();
          // Legacy lines of a POST carry no ID, but every DELETE names its ID in the path.
          expect(deletedBy.get(idOf(e)), `${l.id} ${idOf(e)}`).toBe(e.account_id);
        }
      }
    }
    for (const l of label('sandbox-load-test')) {
      const mine = eventsOf(l);
      expect(mine.every((e) => e.env === 'sandbox' && e.key_id?.startsWith('key_sbx_'))).toBe(true);
      expect(mine.filter(isDenial).every((e) => e.resource_owner === null)).toBe(true);
    }
    for (const l of label('staging-own-ids')) {
      expect(eventsOf(l).every((e) => e.env === 'staging' && e.resource_env === undefined)).toBe(
        true,
      );
    }
  });
});
