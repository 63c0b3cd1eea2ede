import {
  createClickHouseClient,
  dropExpiredPartitions,
  migrate,
  insertTabSeparated,
  migrations,
  quoteString,
  readServerCapabilities,
} from '@denyscope/clickhouse';
import { connectionFor, dropDatabase, rows, testNames } from '@denyscope/testkit';
import { afterAll, describe, expect, it } from 'vitest';

describe('migrations on the real ClickHouse', () => {
  const { database } = testNames('migrate');
  afterAll(() => dropDatabase(database));

  it('apply once even when three instances run them at the same moment', async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() => migrate(connectionFor(database), { retentionDays: 30 })),
    );
    const versions = migrations.map((m) => m.version);
    for (const result of results) {
      expect([...result.applied, ...result.alreadyApplied].sort()).toEqual(versions);
    }
    const client = createClickHouseClient(connectionFor(database));
    try {
      const recorded = await rows<{ version: number }>(
        client,
        'SELECT version FROM schema_migrations FINAL ORDER BY version',
      );
      expect(recorded.map((r) => Number(r.version))).toEqual(versions);
      const tables = await rows<{ name: string }>(client, 'SHOW TABLES');
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining([
          'denials',
          'denials_per_minute',
          'denials_per_minute_mv',
          'request_totals',
          'ingest_offsets',
          'ingest_offsets_mv',
        ]),
      );
    } finally {
      await client.close();
    }
    const again = await migrate(connectionFor(database), { retentionDays: 30 });
    expect(again.applied).toEqual([]);
  });

  it('refuses a migration whose number is recorded under another name', async () => {
    const renamed = migrations.map((m) => (m.version === 2 ? { ...m, name: 'something_else' } : m));
    await expect(
      migrate(connectionFor(database), { retentionDays: 30, migrations: renamed }),
    ).rejects.toThrow(/migration 2 is recorded as "denials_per_minute"/);
  });
});

describe('quoteString against the real server', () => {
  const { database } = testNames('quote');
  afterAll(() => dropDatabase(database));

  it('round-trips hostile strings exactly', async () => {
    const client = createClickHouseClient(connectionFor(database), { database: null });
    try {
      const hostile = [
        "' OR '1'='1",
        "\\'; DROP TABLE system.one; --",
        'back\\slash\\',
        'nul\0byte and \x01\x02\x1b controls',
        'new\nline\ttab\rreturn\b\f',
        'emoji 😀 and RTL \u202E override',
        'x'.repeat(10_000),
      ];
      for (const value of hostile) {
        const [row] = await rows<{ v: string }>(client, `SELECT ${quoteString(value)} AS v`);
        expect(row?.v).toBe(value);
      }
    } finally {
      await client.close();
    }
  });
});

describe('TabSeparated inserts against the real server', () => {
  const { database } = testNames('tsv');
  afterAll(() => dropDatabase(database));

  it('store hostile strings and numbers exactly', async () => {
    const client = createClickHouseClient(connectionFor(database), { database: null });
    try {
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      await client.command({
        query: `CREATE TABLE ${database}.t (n UInt32, s String, at DateTime) ENGINE = Memory`,
      });
      const hostile = [
        '',
        "' OR '1'='1",
        '\\N looks like NULL',
        '\\',
        'back\\slash\\t not a tab',
        'nul\0byte and \x01\x02\x1b controls',
        'new\nline\ttab\rreturn\b\f',
        'emoji 😀 and RTL \u202E override',
        'x'.repeat(10_000),
      ];
      const at = 1_780_000_000;
      const values = hostile.map((s, n) => ({ n, s, at }));
      await insertTabSeparated(client, `${database}.t`, values, ['n', 's', 'at']);
      const stored = await rows<{ n: number; s: string; unix: string }>(
        client,
        `SELECT n, s, toUnixTimestamp(at) AS unix FROM ${database}.t ORDER BY n`,
      );
      expect(stored.map((r) => r.s)).toEqual(hostile);
      expect(stored.map((r) => Number(r.unix))).toEqual(hostile.map(() => at));
    } finally {
      await client.close();
    }
  });

  it('store a body streamed in several pieces, every row once', async () => {
    const client = createClickHouseClient(connectionFor(database), { database: null });
    try {
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      await client.command({
        query: `CREATE TABLE ${database}.many (n UInt32, s String) ENGINE = Memory`,
      });
      // 2,500 rows: three pieces of insertTabSeparated's body, with escapes in every one.
      const values = Array.from({ length: 2_500 }, (_, n) => ({ n, s: `row\t${n}\n\\` }));
      await insertTabSeparated(client, `${database}.many`, values, ['n', 's']);
      const [summary] = await rows<{ stored: string; distinct_n: string; bad: string }>(
        client,
        `SELECT count() AS stored, uniqExact(n) AS distinct_n,
           countIf(s != concat('row\\t', toString(n), '\\n\\\\')) AS bad
         FROM ${database}.many`,
      );
      expect(summary).toEqual({ stored: '2500', distinct_n: '2500', bad: '0' });
    } finally {
      await client.close();
    }
  });
});

describe('retention', () => {
  const { database } = testNames('retention');
  afterAll(() => dropDatabase(database));

  it('drops daily partitions older than the retention and keeps the rest', async () => {
    await migrate(connectionFor(database), { retentionDays: 30 });
    const client = createClickHouseClient(connectionFor(database));
    try {
      // The real clock: current servers also apply the tables' TTL, by their own clock.
      const now = new Date();
      const day = (offset: number) => Math.floor(now.getTime() / 1000) - offset * 86_400;
      const partitionOf = (offset: number) =>
        new Date(day(offset) * 1000).toISOString().slice(0, 10).replaceAll('-', '');
      const base = {
        request_id: 'r',
        env: 'production',
        method: 'GET',
        path: '/',
        route: '',
        status: 403,
        key_id: 'k',
        account_id: 'a',
        resource_type: '',
        resource_id: 'x',
        resource_pattern: '{str}',
        resource_num: 0,
        has_num: 0,
        resource_env: '',
        resource_owner: '',
        owner_state: 0,
        client_ip: '',
        user_agent: '',
        latency_ms: 0,
      };
      await client.insert({
        table: 'denials',
        format: 'JSONEachRow',
        values: [0, 5, 29, 31, 60].map((offset) => ({
          ...base,
          request_id: `r${offset}`,
          event_time: day(offset),
        })),
      });
      const dropped = await dropExpiredPartitions(client, database, 30, now);
      const expired = [60, 31].map((offset) => `denials/${partitionOf(offset)}`);
      if ((await readServerCapabilities(client)).ttl) {
        // TTL merges run in the background of a current server: they may have emptied an
        // expired partition before dropExpiredPartitions came to it.
        expect(expired).toEqual(
          expect.arrayContaining(dropped.filter((p) => p.startsWith('denials/'))),
        );
      } else {
        expect(dropped.filter((p) => p.startsWith('denials/')).sort()).toEqual(expired);
        expect(dropped.some((p) => p.startsWith('denials_per_minute/'))).toBe(true);
      }
      const left = await rows<{ request_id: string }>(
        client,
        'SELECT request_id FROM denials ORDER BY request_id',
      );
      expect(left.map((r) => r.request_id)).toEqual(['r0', 'r29', 'r5']);
    } finally {
      await client.close();
    }
  });
});
