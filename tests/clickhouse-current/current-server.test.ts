import { readServerCapabilities, type ClickHouseClient } from '@denyscope/clickhouse';
import { ClickHouseWriter, type DenialRow } from '@denyscope/intake';
import { dropDatabase, migratedDatabase, rows, stackEnv, testNames } from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What only a current server has, checked on ClickHouse 26.x (run.mjs): the migrations' branches
// for current servers, ingest's TabSeparated rows and the materialized views over them, and TTL.
// The rules, reports, API and dashboards run here through the shared integration tests listed
// in vitest.config.ts.

const { database } = testNames('current');
let client: ClickHouseClient;

beforeAll(async () => {
  client = await migratedDatabase(database);
});

afterAll(async () => {
  await client?.close();
  await dropDatabase(database);
});

const MINUTE = 60;
const now = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE;

const HOSTILE = [
  "quote ' and \\ backslash",
  'tab\tnew\nline\rreturn\0nul',
  'emoji 😀 RTL \u202E',
  'x'.repeat(5_000),
];

function denial(n: number, overrides: Partial<DenialRow> = {}): DenialRow {
  return {
    event_time: now - 2 * MINUTE + (n % 60),
    request_id: `req_${n}`,
    env: 'production',
    method: 'GET',
    path: `/v1/invoices/inv_${n}`,
    route: '/v1/invoices/{invoice_id}',
    status: 403,
    key_id: 'key_scan',
    account_id: 'acct_a',
    resource_type: 'invoice',
    resource_id: `inv_${1000 + n}`,
    resource_pattern: 'inv_{num}',
    resource_num: 1000 + n,
    has_num: 1,
    resource_env: '',
    key_env: '',
    resource_owner: n % 2 === 0 ? '' : 'acct_b',
    owner_state: n % 2 === 0 ? 1 : 2,
    client_ip: '203.0.113.7',
    client_net: '203.0.113.0/24',
    user_agent: HOSTILE[n % HOSTILE.length] ?? '',
    latency_ms: 1.5,
    ...overrides,
  };
}

describe('ClickHouse 26.x through CLICKHOUSE_URL', () => {
  it('is the server every test of this run talks to', async () => {
    expect(stackEnv.CLICKHOUSE_URL).toBe(process.env.CLICKHOUSE_URL);
    const [row] = await rows<{ v: string }>(client, 'SELECT version() AS v');
    expect(row?.v).toBe(process.env.DENYSCOPE_CLICKHOUSE_CURRENT_VERSION);
    expect(Number(row?.v.split('.')[0])).toBeGreaterThanOrEqual(26);
  });

  it('migrated with the current-server branches: TTL, LowCardinality, ADD COLUMN IF NOT EXISTS', async () => {
    expect(await readServerCapabilities(client)).toMatchObject({
      ttl: true,
      lowCardinality: true,
      addColumnIfNotExists: true,
    });
    const tables = await rows<{ name: string; engine_full: string }>(
      client,
      `SELECT name, engine_full FROM system.tables WHERE database = currentDatabase()
       AND engine LIKE '%MergeTree' AND name != 'schema_migrations'`,
    );
    const withTtl = tables.filter((t) => /\bTTL\b/.test(t.engine_full)).map((t) => t.name);
    // Every day-partitioned table expires by TTL; alerts (monthly) and the per-partition
    // bookkeeping tables do not.
    expect(withTtl.sort()).toEqual(
      [
        'account_resources',
        'denials',
        'denials_per_minute',
        'foreign_access',
        'key_resources',
        'partition_clock',
        'request_totals',
      ].sort(),
    );
    const columns = await rows<{ table: string; name: string; type: string }>(
      client,
      `SELECT table, name, type FROM system.columns WHERE database = currentDatabase()
       AND (name IN ('env', 'key_env', 'client_net', 'component', 'lag', 'written_at'))`,
    );
    const typeOf = (table: string, name: string) =>
      columns.find((c) => c.table === table && c.name === name)?.type;
    expect(typeOf('denials', 'env')).toBe('LowCardinality(String)');
    expect(typeOf('denials', 'key_env')).toBe('LowCardinality(String)');
    expect(typeOf('denials', 'client_net')).toBe('String');
    expect(typeOf('alerts', 'component')).toBe('String');
    expect(typeOf('ingest_watermarks', 'lag')).toBe('UInt64');
    expect(typeOf('ingest_watermarks', 'written_at')).toBe('DateTime');
  });
});

describe("ingest's TabSeparated inserts on 26.x", () => {
  const writer = () => new ClickHouseWriter(client, () => undefined);

  it('store hostile strings verbatim and roll denials up per minute', async () => {
    const batch = Array.from({ length: 40 }, (_, n) => denial(n));
    // A replayed copy of the first ten: ReplacingMergeTree and uniqExact must not count them twice.
    await writer().insertDenials([...batch, ...batch.slice(0, 10)]);
    const stored = await rows<{ request_id: string; user_agent: string; event_time: number }>(
      client,
      `SELECT DISTINCT request_id, user_agent, toUnixTimestamp(event_time) AS event_time
       FROM denials ORDER BY toUInt32(substring(request_id, 5))`,
    );
    expect(stored.map((r) => r.user_agent)).toEqual(batch.map((d) => d.user_agent));
    expect(stored.map((r) => Number(r.event_time))).toEqual(batch.map((d) => d.event_time));

    const [rollup] = await rows<Record<string, string>>(
      client,
      `SELECT uniqExactMerge(denials) AS denial_count, uniqExactIfMerge(missing_ids) AS missing,
         uniqExactIfMerge(foreign_ids) AS foreign_count, minIfMerge(min_num) AS lo
       FROM denials_per_minute WHERE key_id = 'key_scan'`,
    );
    expect(rollup).toEqual({ denial_count: '40', missing: '20', foreign_count: '20', lo: '1000' });
  });

  it('advance ingest_offsets with the totals, and countedThrough reads it (null before)', async () => {
    expect(await writer().countedThrough('api.responses', 3)).toBeNull();
    await writer().insertTotals([
      {
        minute: now - MINUTE,
        env: 'production',
        key_id: 'key_scan',
        account_id: 'acct_a',
        status_class: 4,
        requests: 50,
        denials: 50,
        topic: 'api.responses',
        partition: 3,
        start_offset: '100',
        end_offset: '149',
      },
    ]);
    expect(await writer().countedThrough('api.responses', 3)).toBe(149n);
  });

  it('roll successful reads of key_resources up into account_resources', async () => {
    await writer().insertKeyResources(
      ['inv_1', 'inv_2', 'inv_1'].map((id, i) => ({
        minute: now - (3 - i) * MINUTE,
        env: 'production',
        key_id: 'key_reader',
        account_id: 'acct_c',
        resource_id: id,
        action: i === 2 ? 2 : 0,
      })),
    );
    const known = await rows<{ resource_id: string; deleted: number }>(
      client,
      `SELECT resource_id, toUnixTimestamp(maxIfMerge(deleted_at)) AS deleted
       FROM account_resources WHERE account_id = 'acct_c' GROUP BY resource_id ORDER BY resource_id`,
    );
    expect(known.map((r) => [r.resource_id, Number(r.deleted)])).toEqual([
      ['inv_1', now - MINUTE],
      ['inv_2', 0],
    ]);
  });
});

describe('TTL on 26.x', () => {
  it('removes rows older than the retention (30 days in the test databases) at merge', async () => {
    const old = now - 40 * 86_400;
    await new ClickHouseWriter(client, () => undefined).insertDenials([
      denial(1, { request_id: 'req_old', event_time: old }),
      denial(2, { request_id: 'req_recent', event_time: now - 86_400 }),
    ]);
    await client.command({ query: 'OPTIMIZE TABLE denials FINAL' });
    const left = await rows<{ request_id: string }>(
      client,
      "SELECT request_id FROM denials WHERE request_id IN ('req_old', 'req_recent')",
    );
    expect(left.map((r) => r.request_id)).toEqual(['req_recent']);
  });
});
