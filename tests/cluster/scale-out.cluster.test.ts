import { RULE_IDS } from '@denyscope/alerts';
import {
  createClickHouseClient,
  dropExpiredPartitions,
  migrate,
  migrations,
  quoteIdentifier,
  quoteString,
  type ClickHouseClient,
  type ClusterLayout,
} from '@denyscope/clickhouse';
import { loadRuleSettings, RULES, type Finding } from '@denyscope/detections';
import { buildReport } from '@denyscope/reports';
import { rows, testNames, waitFor } from '@denyscope/testkit';
import { allScenarios, toNdjson } from '@denyscope/scenarios';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Not exported by their packages: the replay loader writes events exactly as ingest does, and the
// writer is ingest's own, unchanged (cluster mode must need no service changes).
import { loadEvents, ClickHouseWriter } from '@denyscope/intake';

// Runs against the two-node cluster of infra/stack/cluster.sh (`npm run test:cluster` starts it):
// ZooKeeper, two ClickHouse 18.16 shards of one replica. Checks the cluster layout of
// docs/scale-out.md for real: migrations ON CLUSTER, inserts through the Distributed tables, the
// readers' queries, per-partition atomicity of request totals and offsets, retention.

// The ports cluster.sh uses (CLUSTER_HTTP_PORT for node 1, the next one for node 2).
const httpPort = Number(process.env.CLUSTER_HTTP_PORT ?? 18123);
const NODE1 = `http://127.0.0.1:${httpPort}`;
const NODE2 = `http://127.0.0.1:${httpPort + 1}`;
const CLUSTER: ClusterLayout = {
  name: 'denyscope_test',
  zookeeperPath: '/clickhouse/tables',
};
const ENVIRONMENTS = ['production', 'staging', 'sandbox', 'development'];

const { database } = testNames('cluster');
const { database: reference } = testNames('single');
const connection = (url: string, db = database, user = 'default') => ({
  url,
  database: db,
  user,
  password: '',
});
const versions = migrations.map((m) => m.version);

let node1: ClickHouseClient;
let node2: ClickHouseClient;
/** The same events in a single-node database on node 1: what the cluster must agree with. */
let single: ClickHouseClient;

async function count(client: ClickHouseClient, sql: string): Promise<number> {
  const [row] = await rows<{ n: string }>(client, sql);
  return Number(row?.n ?? 0);
}

beforeAll(() => {
  node1 = createClickHouseClient(connection(NODE1));
  node2 = createClickHouseClient(connection(NODE2));
  single = createClickHouseClient(connection(NODE1, reference));
});

afterAll(async () => {
  const admin = createClickHouseClient(connection(NODE1), { database: null });
  try {
    await admin.command({
      query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)} ON CLUSTER ${quoteIdentifier(CLUSTER.name)}`,
    });
    await admin.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(reference)}` });
  } finally {
    await Promise.all([admin.close(), node1.close(), node2.close(), single.close()]);
  }
});

describe('ClickHouse cluster: two shards behind Distributed tables', () => {
  it('refuses a user whose profile lacks the cluster settings', async () => {
    await expect(
      migrate(connection(NODE1, database, 'no_cluster_settings'), {
        retentionDays: 30,
        cluster: CLUSTER,
      }),
    ).rejects.toThrow(/insert_distributed_sync=1 .*distributed_product_mode=global/);
  });

  it('migrates once, from three instances at once, through either node', async () => {
    const results = await Promise.all(
      [NODE1, NODE1, NODE2].map((url) =>
        migrate(connection(url), { retentionDays: 30, cluster: CLUSTER }),
      ),
    );
    for (const result of results) {
      expect([...result.applied, ...result.alreadyApplied].sort()).toEqual(versions);
    }
    for (const node of [node1, node2]) {
      const tables = await rows<{ name: string; engine: string }>(
        node,
        `SELECT name, engine FROM system.tables WHERE database = ${quoteString(database)} ORDER BY name`,
      );
      const engineOf = new Map(tables.map((t) => [t.name, t.engine]));
      for (const table of ['denials', 'denials_per_minute', 'request_totals', 'ingest_offsets']) {
        expect(engineOf.get(table), table).toBe('Distributed');
        expect(engineOf.get(`${table}_local`), table).toMatch(/^Replicated\w+MergeTree$/);
      }
      expect(engineOf.get('ingest_offsets_mv')).toBe('MaterializedView');
      expect(engineOf.get('schema_migrations')).toBe('ReplicatedReplacingMergeTree');
      // Migration 4 re-created the Distributed denials over the altered local tables.
      const [keyEnv] = await rows<{ n: string }>(
        node,
        `SELECT count() AS n FROM system.columns
         WHERE database = ${quoteString(database)} AND table = 'denials' AND name = 'key_env'`,
      );
      expect(keyEnv?.n).toBe('1');
    }
    // The record is replicated to every node, so node 2 knows that node 1 applied everything.
    await waitFor(
      'schema_migrations on node 2',
      () => rows<{ version: number }>(node2, 'SELECT version FROM schema_migrations FINAL'),
      (recorded) => recorded.length === versions.length,
      { timeoutMs: 20_000 },
    );
    const again = await migrate(connection(NODE2), { retentionDays: 30, cluster: CLUSTER });
    expect(again.applied).toEqual([]);

    await migrate(connection(NODE1, reference), { retentionDays: 30 });
  });

  describe('with the labelled scenarios loaded', () => {
    const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
    const { events } = allScenarios(11, startMs);
    const load = (client: ClickHouseClient) =>
      loadEvents(Readable.from([toNdjson(events)]), client, {
        environments: ENVIRONMENTS,
        envMarkers: undefined,
        maxMessageBytes: 262_144,
      });

    beforeAll(async () => {
      await Promise.all([load(node1), load(single)]);
    });

    it('spreads the rows over both shards and rolls them up on each', async () => {
      const total = await count(single, 'SELECT count() AS n FROM denials');
      const local1 = await count(node1, 'SELECT count() AS n FROM denials_local');
      const local2 = await count(node2, 'SELECT count() AS n FROM denials_local');
      expect(local1).toBeGreaterThan(total / 4);
      expect(local2).toBeGreaterThan(total / 4);
      expect(local1 + local2).toBe(total);
      for (const node of [node1, node2]) {
        expect(
          await count(node, 'SELECT count() AS n FROM denials_per_minute_local'),
        ).toBeGreaterThan(0);
      }
      const rollup = `SELECT uniqExactMerge(denials) AS n FROM denials_per_minute`;
      expect(await count(node2, rollup)).toBe(await count(single, rollup));
    });

    it('gives every rule the same findings as one node, through either node', async () => {
      const settings = loadRuleSettings({ env: {} });
      const comparable = (findings: Finding[]) =>
        findings
          .map((f) => ({ ...f, evidence: arraysAsLengths(f.evidence) }))
          .sort((a, b) => `${a.rule}${a.subjectKey}`.localeCompare(`${b.rule}${b.subjectKey}`));
      let found = 0;
      // Every 20 minutes of event time across the scenarios' two hours, and just after.
      for (let at = startMs + 20 * 60_000; at <= startMs + 140 * 60_000; at += 20 * 60_000) {
        const watermark = new Date(at);
        for (const id of RULE_IDS) {
          const evaluate = (client: ClickHouseClient) =>
            RULES[id].evaluate(
              {
                watermark,
                query: <T>(sql: string) => rows<T>(client, sql),
              },
              settings[id],
            );
          const expected = comparable(await evaluate(single));
          expect(comparable(await evaluate(node1)), `${id} at ${watermark.toISOString()}`).toEqual(
            expected,
          );
          expect(comparable(await evaluate(node2)), `${id} at ${watermark.toISOString()}`).toEqual(
            expected,
          );
          found += expected.length;
        }
      }
      expect(found).toBeGreaterThan(0);
    });

    it('builds the same customer report as one node (IN subqueries over Distributed tables)', async () => {
      const [top] = await rows<{ account_id: string }>(
        single,
        `SELECT account_id FROM denials WHERE account_id != ''
         GROUP BY account_id ORDER BY uniqExact(request_id) DESC LIMIT 1`,
      );
      const request = {
        accountId: top?.account_id ?? '',
        since: new Date(startMs - 3_600_000),
        until: new Date(startMs + 4 * 3_600_000),
      };
      const now = () => new Date(startMs);
      const report = async (client: ClickHouseClient) =>
        sortedArrays(await buildReport(client, request, { now }));
      const expected = await report(single);
      expect(await report(node1)).toEqual(expected);
    });
  });

  it('writes request totals and their ingest offsets together per Kafka partition', async () => {
    const topic = 'api.responses';
    const writer = new ClickHouseWriter(node1, () => undefined);
    const minute = Math.floor(Date.now() / 60_000) * 60;
    const batch = (from: number, to: number) =>
      [0, 1, 2, 3, 4, 5, 6, 7].flatMap((partition) =>
        ['k1', 'k2'].map((key) => ({
          minute,
          env: 'production',
          key_id: key,
          account_id: 'a1',
          status_class: 2,
          requests: 10,
          denials: 1,
          topic,
          partition,
          start_offset: String(from),
          end_offset: String(to),
        })),
      );
    const totalsFinal = () =>
      count(
        node2,
        `SELECT sum(requests) AS n FROM request_totals FINAL WHERE topic = ${quoteString(topic)}`,
      );
    /** Per node: partition → [requests stored on it, its ingest_offsets end_offset]. */
    const localState = async (node: ClickHouseClient) => {
      const totals = await rows<{ partition: number; n: string }>(
        node,
        `SELECT partition, sum(requests) AS n FROM request_totals_local FINAL
         WHERE topic = ${quoteString(topic)} GROUP BY partition`,
      );
      const offsets = await rows<{ partition: number; end_offset: string }>(
        node,
        `SELECT partition, max(end_offset) AS end_offset FROM ingest_offsets_local
         WHERE topic = ${quoteString(topic)} GROUP BY partition`,
      );
      return new Map(
        [...new Set([...totals, ...offsets].map((r) => Number(r.partition)))].map((p) => [
          p,
          [
            Number(totals.find((r) => Number(r.partition) === p)?.n ?? 0),
            Number(offsets.find((r) => Number(r.partition) === p)?.end_offset ?? -1),
          ],
        ]),
      );
    };

    await writer.insertTotals(batch(0, 99));
    const [on1, on2] = [await localState(node1), await localState(node2)];
    // Each partition lives on exactly one shard, its offset beside its totals.
    expect(on1.size).toBeGreaterThan(0);
    expect(on2.size).toBeGreaterThan(0);
    expect([...on1.keys(), ...on2.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const state of [on1, on2]) {
      for (const [partition, value] of state)
        expect(value, `partition ${partition}`).toEqual([20, 99]);
    }
    for (let partition = 0; partition < 8; partition += 1) {
      expect(await writer.countedThrough(topic, partition)).toBe(99n);
    }

    // A retried INSERT (same rows, or the same rows in another order, which escapes the
    // replicated tables' block deduplication) is folded by FINAL.
    await writer.insertTotals(batch(0, 99));
    await writer.insertTotals(batch(0, 99).reverse());
    expect(await totalsFinal()).toBe(160);

    // Shard 2 cannot store the rows (its table is detached): the INSERT fails. On shard 1 the rows
    // of its partitions land with their offsets or not at all (18.16 opens every shard's INSERT
    // before writing any, so here: not at all); never totals without their offsets.
    const detachable = `${quoteIdentifier(database)}.request_totals_local`;
    await node2.command({ query: `DETACH TABLE ${detachable}` });
    try {
      await expect(writer.insertTotals(batch(100, 199))).rejects.toThrow(/request_totals_local/);
      for (const [partition, [requests, end]] of await localState(node1)) {
        expect(
          [
            [20, 99],
            [40, 199],
          ],
          `partition ${partition}`,
        ).toContainEqual([requests, end]);
      }
    } finally {
      await node2.command({ query: `ATTACH TABLE ${detachable}` });
    }
    // The writer retries the whole INSERT: every partition ends exactly once on both batches.
    await writer.insertTotals(batch(100, 199));
    expect(await totalsFinal()).toBe(320);
    for (let partition = 0; partition < 8; partition += 1) {
      expect(await writer.countedThrough(topic, partition)).toBe(199n);
    }
  });

  it('drops expired daily partitions on every shard', async () => {
    const now = new Date();
    const day = (offset: number) => Math.floor(now.getTime() / 1000) - offset * 86_400;
    await node1.insert({
      table: 'denials',
      format: 'JSONEachRow',
      values: [0, 5, 31, 60].flatMap((offset) =>
        Array.from({ length: 20 }, (_, i) => ({
          event_time: day(offset),
          request_id: `retention-${offset}-${i}`,
          key_id: 'k-retention',
        })),
      ),
    });
    const byDay = `SELECT count() AS n FROM denials WHERE key_id = 'k-retention'`;
    expect(await count(node2, byDay)).toBe(80);
    for (const node of [node1, node2]) {
      const old = `SELECT count() AS n FROM denials_local WHERE key_id = 'k-retention' AND event_time < now() - 30 * 86400`;
      expect(await count(node, old)).toBeGreaterThan(0);
    }

    const dropped = await dropExpiredPartitions(node2, database, 30, now);
    expect(dropped.filter((p) => p.startsWith('denials_local/'))).toHaveLength(2);
    expect(await count(node1, byDay)).toBe(40);
    for (const node of [node1, node2]) {
      const old = `SELECT count() AS n FROM denials_local WHERE event_time < now() - 30 * 86400`;
      expect(await count(node, old)).toBe(0);
    }
  });
});

/**
 * Arrays sorted, recursively: the report's lists come in an order that may depend on how partial
 * results were merged, which differs between one node and several shards.
 */
function sortedArrays(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(sortedArrays)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sortedArrays(v)]));
  }
  return value;
}

/**
 * Evidence with every array replaced by its length. Samples are `arraySlice(groupUniqArray(…))`
 * and `topK(…)`: which elements make the cut depends on the order partial states were merged, so
 * one node and two shards may name different, equally valid samples. Counts must be equal.
 */
function arraysAsLengths(value: unknown): unknown {
  if (Array.isArray(value)) return { length: value.length };
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, arraysAsLengths(v)]));
  }
  return value;
}
