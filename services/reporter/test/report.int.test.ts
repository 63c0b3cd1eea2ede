import type { ClickHouseClient } from '@denyscope/clickhouse';
import { dropDatabase, migratedDatabase, testNames } from '@denyscope/testkit';
import {
  backgroundTraffic,
  composeStream,
  crossEnvironmentStagingIdsInProduction,
  crossTenant,
  idEnumerationSequential,
  seededRandom,
  staleResourceIds,
  toNdjson,
  type GeneratedEvent,
  type LabelledScenario,
  type ScenarioContext,
} from '@denyscope/scenarios';
import { createLogger } from '@denyscope/telemetry';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The replay loader writes rows exactly as ingest does.
import { loadEvents } from '@denyscope/intake';
import { writePeriodReports } from '../src/index.js';
import {
  REPORT_FORMATS,
  accountDirName,
  buildReport,
  renderReport,
  reportSchema,
  type Report,
} from '@denyscope/reports';

const HOUR = 3_600_000;
const names = testNames('report');
let client: ClickHouseClient;

const startMs = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
const ctx: ScenarioContext = { random: seededRandom(20_240_611), startMs, durationMs: 2 * HOUR };
const period = { since: new Date(startMs - HOUR), until: new Date(startMs + 3 * HOUR) };

const stale = staleResourceIds(ctx);
const spread = crossTenant(ctx);
const concentrated = crossTenant(ctx, { concentrated: true });
const crossEnv = crossEnvironmentStagingIdsInProduction(ctx);
const enumeration = idEnumerationSequential(ctx);
const background = backgroundTraffic(ctx, { accounts: 12, keysPerAccount: 2, eventsPerSecond: 4 });
const stream = composeStream([stale, spread, concentrated, crossEnv, enumeration, background]);

const subjectOf = (scenario: LabelledScenario): { key_id: string; account_id: string } => {
  const subject = scenario.expect[0]?.subject;
  if (subject?.key_id === undefined || subject.account_id === undefined) {
    throw new Error(`${scenario.name}: no key subject`);
  }
  return { key_id: subject.key_id, account_id: subject.account_id };
};

// A hostile resource ID on the stale scenario's key: it must come out escaped in every format.
const HOSTILE_ID = 'sub_<script>alert("x")</script>|`pwn`';
const staleKey = subjectOf(stale);
const hostile: GeneratedEvent = {
  ts: startMs + 30 * 60_000,
  request_id: 'req_hostile_1',
  env: 'production',
  method: 'GET',
  path: '/v1/subscriptions/x',
  route: '/v1/subscriptions/{subscription_id}',
  status: 403,
  error: 'ownership_denied',
  key_id: staleKey.key_id,
  account_id: staleKey.account_id,
  resource_type: 'subscription',
  resource_id: HOSTILE_ID,
  resource_owner: null,
};
const events = [...stream.events, hostile].sort((a, b) => a.ts - b.ts);
const isDenial = (e: GeneratedEvent) => e.status === 403 && e.error === 'ownership_denied';

/** The event's resource ID: given, or the path segment under the route's `{param}`. */
function resourceIdOf(e: GeneratedEvent): string | undefined {
  if (e.resource_id) return e.resource_id;
  const route = (e.route ?? '').split('/');
  const path = (e.path.split('?')[0] ?? '').split('/');
  const at = route.findIndex((part) => part.startsWith('{'));
  const segment = at < 0 ? undefined : path[at];
  return segment === undefined ? undefined : decodeURIComponent(segment);
}

// What every account may not see: the other accounts, their keys, the resources they own.
const accounts = new Set<string>();
const keysOf = new Map<string, Set<string>>();
const ownedBy = new Map<string, Set<string>>();
for (const e of events) {
  if (e.account_id) {
    accounts.add(e.account_id);
    if (e.key_id) keysOf.set(e.account_id, (keysOf.get(e.account_id) ?? new Set()).add(e.key_id));
  }
  const resourceId = resourceIdOf(e);
  if (typeof e.resource_owner === 'string' && e.resource_owner !== '' && resourceId) {
    accounts.add(e.resource_owner);
    ownedBy.set(e.resource_owner, (ownedBy.get(e.resource_owner) ?? new Set()).add(resourceId));
  }
}

async function load(): Promise<void> {
  await loadEvents(Readable.from([toNdjson(events)]), client, {
    environments: ['production', 'staging', 'sandbox', 'development'],
    envMarkers: undefined,
    maxMessageBytes: 262_144,
  });
}

beforeAll(async () => {
  client = await migratedDatabase(names.database);
  // Twice: a replayed batch stores every denial twice, and counts must not change.
  await load();
  await load();
  const scanner = subjectOf(enumeration);
  const first = new Date(enumeration.events[0]?.ts ?? startMs);
  await client.insert({
    table: 'alerts',
    format: 'JSONEachRow',
    values: [
      {
        alert_id: 'al_test_1',
        version: 1,
        transition: 'opened',
        rule: 'id-enumeration',
        severity: 'critical',
        status: 'firing',
        key_id: scanner.key_id,
        account_id: scanner.account_id,
        client_ip: '',
        env: 'production',
        window_start: first.toISOString(),
        window_end: first.toISOString(),
        first_seen: first.toISOString(),
        last_seen: first.toISOString(),
        summary: 'test',
        evidence: '{}',
        runbook: '',
        muted: 0,
        note: '',
      },
    ],
  });
});

afterAll(async () => {
  await client?.close();
  await dropDatabase(names.database);
});

describe('per-account reports on mixed traffic', () => {
  it('hold nothing of other accounts, in every format, and count what the account did', async () => {
    // 12 background accounts, 5 scenario actors, 9 cross-tenant victims, enumeration victims.
    expect(accounts.size).toBeGreaterThanOrEqual(26);
    expect([...ownedBy.values()].reduce((n, ids) => n + ids.size, 0)).toBeGreaterThan(500);
    let foreignDenials = 0;
    for (const accountId of accounts) {
      const report = await buildReport(client, { accountId, ...period });
      reportSchema.parse(report);
      const forbidden: string[] = [];
      for (const other of accounts) {
        if (other === accountId) continue;
        forbidden.push(other, ...(keysOf.get(other) ?? []), ...(ownedBy.get(other) ?? []));
      }
      for (const format of REPORT_FORMATS) {
        const { body } = renderReport(report, format);
        const leaked = forbidden.filter((value) => body.includes(value));
        expect(leaked, `${format} report of ${accountId}`).toEqual([]);
      }

      const expected = new Map<string, Set<string>>();
      for (const e of events) {
        if (e.account_id !== accountId || !isDenial(e) || !e.key_id) continue;
        expected.set(e.key_id, (expected.get(e.key_id) ?? new Set()).add(e.request_id));
        if (e.resource_owner && e.resource_owner !== accountId) foreignDenials += 1;
      }
      const actual = Object.fromEntries(report.keys.map((k) => [k.key_id, k.denials]));
      expect(actual).toEqual(Object.fromEntries([...expected].map(([k, ids]) => [k, ids.size])));
      expect(report.totals.denials).toBe(report.daily.reduce((sum, d) => sum + d.denials, 0));
    }
    expect(foreignDenials).toBeGreaterThan(50);
  });

  it('classifies the seeded scenarios by cause', async () => {
    const mainCause = async (scenario: LabelledScenario): Promise<Report['keys'][number]> => {
      const { key_id, account_id } = subjectOf(scenario);
      const report = await buildReport(client, { accountId: account_id, ...period });
      const key = report.keys.find((k) => k.key_id === key_id);
      if (!key) throw new Error(`${scenario.name}: key missing from the report`);
      return key;
    };
    const staleSection = await mainCause(stale);
    expect(staleSection.main_cause).toBe('stale-ids');
    expect(staleSection.causes.map((c) => c.cause)).toEqual(['stale-ids']);
    for (const scenario of [spread, concentrated]) {
      const section = await mainCause(scenario);
      expect(section.main_cause).toBe('another-account');
      const entry = section.causes.find((c) => c.cause === 'another-account');
      expect(entry?.other_account_resources).toBe(24);
      expect(entry?.other_accounts).toBe(scenario === spread ? 8 : 1);
      expect(entry?.sample_ids).toEqual([]);
    }
    const env = await mainCause(crossEnv);
    expect(env.causes.map((c) => c.cause)).toEqual(['other-environment']);
    expect(env.denials).toBe(10);
    const scan = await mainCause(enumeration);
    expect(scan.main_cause).toBe('scanning');
    expect(scan.scanning_reason).toBe('incident');
    expect(scan.causes.find((c) => c.cause === 'scanning')?.distinct_ids).toBe(120);
  });

  it('escapes hostile resource IDs in HTML and Markdown', async () => {
    const report = await buildReport(client, { accountId: staleKey.account_id, ...period });
    const samples = report.keys.flatMap((k) => k.causes.flatMap((c) => c.sample_ids));
    expect(samples).toContain(HOSTILE_ID);
    const html = renderReport(report, 'html').body;
    expect(html).not.toContain('<script>');
    expect(html).toContain('sub_&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;|`pwn`');
    const md = renderReport(report, 'md').body;
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('|`pwn`');
    const json = renderReport(report, 'json').body;
    expect(JSON.stringify(JSON.parse(json))).toContain(JSON.stringify(HOSTILE_ID).slice(1, -1));
  });

  it('writes the scheduled files of every account with denials, atomically named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'denyscope-reports-'));
    try {
      const log = createLogger({ service: 'reporter-test', level: 'silent' });
      const result = await writePeriodReports(
        client,
        {
          dir,
          schedule: 'daily',
          accounts: undefined,
          formats: ['html', 'json', 'md'],
          scanMinIdsPerHour: 150,
        },
        'daily',
        period,
        log,
      );
      expect(result.failed).toEqual([]);
      // Victim accounts have no denials of their own: no report for them.
      expect(result.accounts).toBe(keysOf.size);
      const day = period.since.toISOString().slice(0, 10);
      const folder = join(dir, accountDirName(staleKey.account_id));
      expect((await readdir(folder)).sort()).toEqual(
        ['html', 'json', 'md'].map((ext) => `${day}-daily.${ext}`),
      );
      const json = reportSchema.parse(
        JSON.parse(await readFile(join(folder, `${day}-daily.json`), 'utf8')),
      );
      expect(json.account_id).toBe(staleKey.account_id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds scanning by shape when the threshold is within reach', async () => {
    const { key_id, account_id } = subjectOf(enumeration);
    await client.command({ query: `TRUNCATE TABLE alerts` });
    const report = await buildReport(
      client,
      { accountId: account_id, ...period },
      { scan: { minIdsPerHour: 50, minMissingShare: 0.8 } },
    );
    const key = report.keys.find((k) => k.key_id === key_id);
    expect(key?.scanning_reason).toBe('many-missing-ids');
    const defaults = await buildReport(client, { accountId: account_id, ...period });
    expect(defaults.keys.find((k) => k.key_id === key_id)?.scanning_reason).toBeNull();
  });
});
