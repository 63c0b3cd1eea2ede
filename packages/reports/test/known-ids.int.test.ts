import type { ClickHouseClient } from '@denyscope/clickhouse';
import { dropDatabase, migratedDatabase, testNames } from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, renderReport, type KeySection, type Report } from '../src/index.js';

// Reports judge scanning by guessed IDs, as the rules do (docs/reports.md): a denied ID that the
// key's own account used successfully before (account_resources, migration 007) is a stale or
// deleted ID of the account, never a guess. Rows are written straight into the tables ingest
// fills, so the facts are exactly the ones stated here.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const names = testNames('reportknown');
let client: ClickHouseClient;

// Whole hours, so that each burst below stays inside one UTC hour (the shape heuristic's bucket).
const base = Math.floor(Date.now() / HOUR) * HOUR - 8 * HOUR;
const period = { since: new Date(base - HOUR), until: new Date(base + 4 * HOUR) };
const at = (ms: number): string => new Date(ms).toISOString();

const MIGRATION = {
  account: `acct_migr_${names.suffix}`,
  admin: `key_migr_admin_${names.suffix}`,
  job: `key_migr_job_${names.suffix}`,
  scanner: `key_migr_scan_${names.suffix}`,
};
const LATE = { account: `acct_late_${names.suffix}`, key: `key_late_${names.suffix}` };
const LOAD = {
  account: `acct_load_${names.suffix}`,
  key: `key_load_${names.suffix}`,
  escalated: `key_load_esc_${names.suffix}`,
  /** One of many CI keys behind one network, named by an info distributed-enumeration incident. */
  ci: `key_load_ci_${names.suffix}`,
};
const inv = (n: number): string => `inv_${String(n).padStart(6, '0')}`;
const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => from + i);

interface Denial {
  ms: number;
  key: string;
  account: string;
  id: string;
  env?: string;
}

let requestSeq = 0;
function denialRow(d: Denial): Record<string, unknown> {
  const num = /_(\d+)$/.exec(d.id)?.[1];
  requestSeq += 1;
  return {
    event_time: at(d.ms),
    request_id: `req_${names.suffix}_${requestSeq}`,
    env: d.env ?? 'production',
    method: 'GET',
    path: `/v1/invoices/${d.id}`,
    route: '/v1/invoices/{invoice_id}',
    status: 403,
    key_id: d.key,
    account_id: d.account,
    resource_type: 'invoice',
    resource_id: d.id,
    resource_pattern: num === undefined ? 'doc_{hex}' : 'inv_{int}',
    resource_num: num === undefined ? 0 : Number(num),
    has_num: num === undefined ? 0 : 1,
    resource_env: '',
    key_env: '',
    resource_owner: '',
    owner_state: 1,
    client_ip: '198.51.100.7',
    user_agent: 'test',
    latency_ms: 3,
  };
}

/** A 2xx of the account on one of its resources: action 0 read, 1 write, 2 delete. */
const used = (ms: number, key: string, account: string, id: string, action: 0 | 1 | 2) => ({
  minute: at(Math.floor(ms / MINUTE) * MINUTE),
  env: 'production',
  key_id: key,
  account_id: account,
  resource_id: id,
  action,
});

function alertRow(
  key: string,
  account: string,
  alertId: string,
  version: number,
  severity: string,
) {
  return {
    alert_id: alertId,
    version,
    transition: version === 1 ? 'opened' : 'escalated',
    rule: 'id-enumeration',
    severity,
    status: 'firing',
    key_id: key,
    account_id: account,
    client_ip: '',
    env: 'staging',
    window_start: at(base + 2 * HOUR),
    window_end: at(base + 2 * HOUR + 5 * MINUTE),
    first_seen: at(base + 2 * HOUR),
    last_seen: at(base + 2 * HOUR + 30 * MINUTE),
    summary: 'test',
    evidence: '{}',
    runbook: '',
    muted: 0,
    note: '',
  };
}

beforeAll(async () => {
  client = await migratedDatabase(names.database);
  const m = MIGRATION;
  const resources = [
    // The account created its 350 invoices the day before.
    ...range(1, 350).map((n) => used(base - DAY + n * 1000, m.admin, m.account, inv(n), 1)),
    // Bulk delete of 300 of them, minutes before the migration job runs (by another key).
    ...range(1, 300).map((n) => used(base + (n % 10) * MINUTE, m.admin, m.account, inv(n), 2)),
    // The job reads the 50 that still exist...
    ...range(301, 50).map((n) => used(base + 20 * MINUTE, m.job, m.account, inv(n), 0)),
    // The other account creates, after the guesses below, the very IDs it was denied on: known
    // after the denial does not make the denial stale.
    ...range(1, 200).map((n) =>
      used(base + 2 * HOUR, LATE.key, LATE.account, `doc_${n.toString(16).padStart(12, 'a')}`, 1),
    ),
  ];
  const denials: Denial[] = [
    // ...and is denied on 250 of the deleted ones, within an hour.
    ...range(1, 250).map((n) => ({
      ms: base + 15 * MINUTE + n * 9_000,
      key: m.job,
      account: m.account,
      id: inv(n),
    })),
    // A real scan in the same account: 250 IDs the account never used, one hour later.
    ...range(1001, 250).map((n) => ({
      ms: base + HOUR + 5 * MINUTE + (n - 1000) * 9_000,
      key: m.scanner,
      account: m.account,
      id: inv(n),
    })),
    // Guesses that the account only used later.
    ...range(1, 200).map((n) => ({
      ms: base + 10 * MINUTE + n * 9_000,
      key: LATE.key,
      account: LATE.account,
      id: `doc_${n.toString(16).padStart(12, 'a')}`,
    })),
    // A load test in staging against invented IDs, judged `info` by id-enumeration...
    ...range(5001, 200).map((n) => ({
      ms: base + 2 * HOUR + (n - 5000) * 6_000,
      key: LOAD.key,
      account: LOAD.account,
      id: inv(n),
      env: 'staging',
    })),
    // ...a CI key of a load test spread over keys...
    ...range(9001, 20).map((n) => ({
      ms: base + 2 * HOUR + (n - 9000) * 6_000,
      key: LOAD.ci,
      account: LOAD.account,
      id: inv(n),
      env: 'staging',
    })),
    // ...and one whose incident escalated from info to high.
    ...range(7001, 60).map((n) => ({
      ms: base + 2 * HOUR + (n - 7000) * 6_000,
      key: LOAD.escalated,
      account: LOAD.account,
      id: inv(n),
      env: 'staging',
    })),
  ];
  await client.insert({ table: 'key_resources', format: 'JSONEachRow', values: resources });
  await client.insert({ table: 'denials', format: 'JSONEachRow', values: denials.map(denialRow) });
  await client.insert({
    table: 'alerts',
    format: 'JSONEachRow',
    values: [
      alertRow(LOAD.key, LOAD.account, `al_load_${names.suffix}`, 1, 'info'),
      alertRow(LOAD.escalated, LOAD.account, `al_esc_${names.suffix}`, 1, 'info'),
      alertRow(LOAD.escalated, LOAD.account, `al_esc_${names.suffix}`, 2, 'high'),
      {
        ...alertRow('', '', `al_net_${names.suffix}`, 1, 'info'),
        rule: 'distributed-enumeration',
        client_ip: '203.0.113.0/24',
        // As stored: the rule's other fields besides key_ids, and the detector's trace IDs.
        evidence: JSON.stringify({
          network: '203.0.113.0/24',
          scanning_keys: 12,
          key_ids: [LOAD.ci, 'key_of_another_account'],
          trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        }),
      },
      // Evidence without the rule's key_ids list names no key: the migration job stays unflagged.
      ...['{not json', JSON.stringify({ key_ids: MIGRATION.job })].map((evidence, n) => ({
        ...alertRow('', '', `al_bad_${n}_${names.suffix}`, 1, 'high'),
        rule: 'distributed-enumeration',
        client_ip: '198.51.100.0/24',
        evidence,
      })),
    ],
  });
});

afterAll(async () => {
  await client?.close();
  await dropDatabase(names.database);
});

function keyOf(report: Report, keyId: string): KeySection {
  const key = report.keys.find((k) => k.key_id === keyId);
  if (!key) throw new Error(`${keyId} missing from the report`);
  return key;
}

describe('reports on IDs the account used before', () => {
  it('a migration job walking its own bulk-deleted invoices is stale-ids, not scanning', async () => {
    const report = await buildReport(client, { accountId: MIGRATION.account, ...period });
    const job = keyOf(report, MIGRATION.job);
    expect(job.scanning_reason).toBeNull();
    expect(job.main_cause).toBe('stale-ids');
    expect(job.causes.map((c) => c.cause)).toEqual(['stale-ids']);
    expect(job.causes[0]).toMatchObject({ denials: 250, distinct_ids: 250, deleted_ids: 250 });

    const stale = report.causes.find((c) => c.cause === 'stale-ids');
    expect(stale).toMatchObject({ denials: 250, keys: 1, deleted_ids: 250 });
    expect(stale?.meaning).toContain('250');
    expect(stale?.meaning).toMatch(/deleted itself/);
    expect(stale?.remediation).toMatch(/bulk delete/);
    // The Markdown keys table: one row for the job, stale IDs, nothing about scanning.
    const escapedJob = MIGRATION.job.replace(/_/g, '\\_');
    const md = renderReport(report, 'md').body.split('\n');
    const jobRows = md.filter((line) => line.startsWith(`| ${escapedJob} |`));
    expect(jobRows).toHaveLength(1);
    expect(jobRows[0]).toContain('| Stale or deleted IDs |');
  });

  it('a key of the same account guessing 250 never-used IDs is still scanning', async () => {
    const report = await buildReport(client, { accountId: MIGRATION.account, ...period });
    const scanner = keyOf(report, MIGRATION.scanner);
    expect(scanner.scanning_reason).toBe('many-missing-ids');
    expect(scanner.causes.map((c) => c.cause)).toEqual(['scanning']);
    expect(scanner.causes[0]).toMatchObject({ denials: 250, distinct_ids: 250, deleted_ids: 0 });
    const scanning = report.causes.find((c) => c.cause === 'scanning');
    expect(scanning?.remediation).toMatch(/rotate/i);
    expect(report.totals.by_cause).toMatchObject({ scanning: 250, 'stale-ids': 250 });
  });

  it('an ID the account used only after the denial was a guess at the time', async () => {
    const report = await buildReport(client, { accountId: LATE.account, ...period });
    const key = keyOf(report, LATE.key);
    expect(key.scanning_reason).toBe('many-missing-ids');
    expect(key.main_cause).toBe('scanning');
  });

  it('an info id-enumeration incident (a load test outside production) is test traffic', async () => {
    const report = await buildReport(client, { accountId: LOAD.account, ...period });
    const load = keyOf(report, LOAD.key);
    expect(load.scanning_reason).toBeNull();
    expect(load.main_cause).toBe('test-traffic');
    expect(load.causes.map((c) => c.cause)).toEqual(['test-traffic']);
    const test = report.causes.find((c) => c.cause === 'test-traffic');
    expect(test).toMatchObject({ denials: 220, title: 'Invented IDs outside production' });
    expect(test?.remediation).toMatch(/created by the test/);
    expect(test?.remediation).not.toMatch(/rotate/i);

    // Named by an info distributed-enumeration incident: test traffic as well.
    const ci = keyOf(report, LOAD.ci);
    expect(ci.scanning_reason).toBeNull();
    expect(ci.causes.map((c) => c.cause)).toEqual(['test-traffic']);
    expect(report.causes.find((c) => c.cause === 'test-traffic')?.keys).toBe(2);

    // Escalated beyond info: a scan after all.
    const escalated = keyOf(report, LOAD.escalated);
    expect(escalated.scanning_reason).toBe('incident');
    expect(escalated.main_cause).toBe('scanning');
  });
});
