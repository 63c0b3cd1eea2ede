import { quoteString, type ClickHouseClient } from '@denyscope/clickhouse';
import { dropDatabase, migratedDatabase, testNames } from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type Report } from '../src/index.js';

// Issue 11 ("long lists go through temporary tables or chunks"): a report's cause expression lists
// the account's flagged keys. An account with 20,000 keys, half of them named by enumeration
// incidents, made that one `key_id IN (…)` about 900 KB of SQL, beyond max_query_size (262,144
// bytes by default) on 18.16: the report failed. The report now reads such an account in chunks
// of its keys (keyParts, queries.ts), as query parameters on current servers and literals on
// 18.16, and every figure must still be the whole account's, including the one that does not add
// up across chunks: distinct deleted IDs per cause, where every key asks for the same ID.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const KEYS = 20_000;
const names = testNames('reportlong');
const ACCOUNT = `acct_long_${names.suffix}`;
const SHARED = 'inv_shared_deleted';
const keyOf = (i: number): string =>
  `key_live_${'k'.repeat(32)}_${names.suffix}_${String(i).padStart(5, '0')}`;
/** Keys 4n and 4n+1: a serious enumeration incident; 4n+2: only `info` ones; 4n+3: none. */
const groupOf = (i: number): 'scanning' | 'test' | 'plain' =>
  i % 4 < 2 ? 'scanning' : i % 4 === 2 ? 'test' : 'plain';

const base = Math.floor(Date.now() / HOUR) * HOUR - 8 * HOUR;
const period = { since: new Date(base - HOUR), until: new Date(base + 4 * HOUR) };
const at = (ms: number): string => new Date(ms).toISOString();

function denial(i: number, id: string, n: number): Record<string, unknown> {
  return {
    event_time: at(base + 10 * MINUTE + (i % 3_000) * 1_000),
    request_id: `req_${names.suffix}_${i}_${n}`,
    env: 'production',
    method: 'GET',
    path: `/v1/invoices/${id}`,
    route: '/v1/invoices/{invoice_id}',
    status: 403,
    key_id: keyOf(i),
    account_id: ACCOUNT,
    resource_type: 'invoice',
    resource_id: id,
    resource_pattern: 'inv_{id}',
    resource_num: 0,
    has_num: 0,
    resource_env: '',
    key_env: '',
    resource_owner: '',
    // Owner unknown: without a flag or a use by the account, a denial stays unexplained.
    owner_state: 0,
    client_ip: '198.51.100.7',
    user_agent: 'test',
    latency_ms: 3,
  };
}

function alert(i: number, severity: string): Record<string, unknown> {
  return {
    alert_id: `al_${names.suffix}_${i}`,
    version: 1,
    transition: 'opened',
    rule: 'id-enumeration',
    severity,
    status: 'firing',
    key_id: keyOf(i),
    account_id: ACCOUNT,
    client_ip: '',
    env: 'production',
    window_start: at(base),
    window_end: at(base + 5 * MINUTE),
    first_seen: at(base),
    last_seen: at(base + 30 * MINUTE),
    summary: 'test',
    evidence: '{}',
    runbook: '',
    muted: 0,
    note: '',
  };
}

let client: ClickHouseClient;
let report: Report;

beforeAll(async () => {
  client = await migratedDatabase(names.database);
  const all = Array.from({ length: KEYS }, (_, i) => i);
  // Each key asks for its own ID and for one the account created and then deleted, before.
  const denials = all.flatMap((i) => [denial(i, `inv_${i}`, 0), denial(i, SHARED, 1)]);
  for (let from = 0; from < denials.length; from += 10_000) {
    const values = denials.slice(from, from + 10_000);
    await client.insert({ table: 'denials', format: 'JSONEachRow', values });
  }
  const use = (ms: number, action: 1 | 2) => ({
    minute: at(Math.floor(ms / MINUTE) * MINUTE),
    env: 'production',
    key_id: `key_admin_${names.suffix}`,
    account_id: ACCOUNT,
    resource_id: SHARED,
    action,
  });
  await client.insert({
    table: 'key_resources',
    format: 'JSONEachRow',
    values: [use(base - 2 * HOUR, 1), use(base - HOUR, 2)],
  });
  const alerts = all
    .filter((i) => groupOf(i) !== 'plain')
    .map((i) => alert(i, groupOf(i) === 'scanning' ? 'high' : 'info'));
  await client.insert({ table: 'alerts', format: 'JSONEachRow', values: alerts });
  report = await buildReport(client, { accountId: ACCOUNT, ...period });
}, 300_000);

afterAll(async () => {
  await client?.close();
  await dropDatabase(names.database);
});

describe('a report on an account with 20,000 long key IDs', () => {
  it('had a flagged-key list beyond max_query_size', () => {
    const scanning = Array.from({ length: KEYS }, (_, i) => i).filter(
      (i) => groupOf(i) === 'scanning',
    );
    const list = scanning.map((i) => quoteString(keyOf(i))).join(', ');
    expect(Buffer.byteLength(list)).toBeGreaterThan(262_144);
  });

  it('counts every denial of every key once, under its cause', () => {
    expect(report.totals).toEqual({
      denials: 2 * KEYS,
      keys: KEYS,
      by_cause: {
        scanning: KEYS,
        'other-environment': 0,
        'another-account': 0,
        'test-traffic': KEYS / 4,
        // The deleted ID, asked for by the test and the plain keys.
        'stale-ids': KEYS / 2,
        unexplained: KEYS / 4,
      },
    });
    expect(
      Object.fromEntries(report.causes.map((c) => [c.cause, [c.keys, c.deleted_ids]])),
    ).toEqual({
      scanning: [KEYS / 2, 1],
      'test-traffic': [KEYS / 4, 0],
      // One ID, asked for by 10,000 keys in every chunk: counted once.
      'stale-ids': [KEYS / 2, 1],
      unexplained: [KEYS / 4, 0],
    });
    expect(report.top_patterns).toEqual([
      expect.objectContaining({ pattern: 'inv_{id}', denials: 2 * KEYS }),
    ]);
    expect(report.daily.reduce((n, day) => n + day.denials, 0)).toBe(2 * KEYS);
  });

  it('gives each key its own causes and samples', () => {
    const byKey = new Map(report.keys.map((k) => [k.key_id, k]));
    expect(byKey.size).toBe(KEYS);
    const causesOf = (i: number) =>
      byKey
        .get(keyOf(i))
        ?.causes.map((c) => [c.cause, c.denials, c.sample_ids])
        .sort();
    expect(causesOf(19_997)).toEqual([['scanning', 2, expect.any(Array)]]);
    expect(byKey.get(keyOf(19_997))?.scanning_reason).toBe('incident');
    expect(causesOf(19_998)).toEqual([
      ['stale-ids', 1, [SHARED]],
      ['test-traffic', 1, ['inv_19998']],
    ]);
    expect(causesOf(19_999)).toEqual([
      ['stale-ids', 1, [SHARED]],
      ['unexplained', 1, ['inv_19999']],
    ]);
    expect(byKey.get(keyOf(19_999))?.scanning_reason).toBeNull();
  });
});
