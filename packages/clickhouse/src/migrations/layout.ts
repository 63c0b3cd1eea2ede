import { quoteIdentifier, quoteString } from '../quote.js';
import type { MigrationContext } from './types.js';

// Where tables live. On one node (the default) every table is what its name says. On a cluster
// (CLICKHOUSE_CLUSTER) the rows of `<name>` are stored in `<name>_local`, a Replicated table on
// every node created ON CLUSTER, and `<name>` is a Distributed table over them: readers and writers
// keep using the plain names, and no service changes. docs/scale-out.md explains the layout.
//
// The helpers below return exactly the single-node SQL when there is no cluster, so the schema of
// existing single-node databases does not change (src/migrations/ddl.test.ts holds both).

/**
 * The sharding key of each Distributed table: rows that ReplacingMergeTree or FINAL must fold (same
 * sorting key) always land on the same shard. `null`: written only by materialized views on each
 * shard, so the Distributed table is for reading, and an INSERT into it fails instead of
 * bypassing the view's grouping.
 */
export const SHARDING_KEYS = {
  // A replayed denial has the same request_id, so its copy folds on the same shard.
  denials: 'cityHash64(request_id)',
  foreign_access: 'cityHash64(request_id)',
  // Rows of one Kafka partition, and the ingest_offsets row the view derives from them, land on
  // one shard in one local INSERT: totals and offsets stay atomic per partition.
  request_totals: 'cityHash64(topic, partition)',
  ingest_offsets: 'cityHash64(topic, partition)',
  ingest_watermarks: 'cityHash64(topic, partition)',
  partition_clock: 'cityHash64(topic, partition)',
  // Every version of an incident on one shard, so FINAL folds a retried write.
  alerts: 'cityHash64(alert_id)',
  denials_per_minute: null,
  // One key's successful IDs on one shard, so ReplacingMergeTree folds a batch written twice.
  key_resources: 'cityHash64(key_id)',
  account_resources: null,
} as const satisfies Record<string, string | null>;

export type ShardedTable = keyof typeof SHARDING_KEYS;

/** ` ON CLUSTER <name>` on a cluster, else nothing: appended after the object's name. */
export function onCluster(ctx: MigrationContext): string {
  return ctx.cluster ? ` ON CLUSTER ${quoteIdentifier(ctx.cluster.name)}` : '';
}

/** The table that stores the rows of `table`: `db.table` on one node, `db.table_local` on a cluster. */
export function stored(ctx: MigrationContext, table: ShardedTable): string {
  return `${ctx.db}.${ctx.cluster ? `${table}_local` : table}`;
}

/**
 * A MergeTree-family engine: `ReplacingMergeTree(end_offset)` on one node,
 * `ReplicatedReplacingMergeTree('<prefix>/{shard}/<db>/<table>', '{replica}', end_offset)` on a
 * cluster. `{shard}` and `{replica}` are the servers' macros.
 */
export function engine(
  ctx: MigrationContext,
  table: ShardedTable,
  family: 'ReplacingMergeTree' | 'AggregatingMergeTree',
  ...params: string[]
): string {
  if (!ctx.cluster) return params.length > 0 ? `${family}(${params.join(', ')})` : family;
  const path = `${ctx.cluster.zookeeperPath}/{shard}/${ctx.database}/${table}`;
  return `Replicated${family}(${[quoteString(path), quoteString('{replica}'), ...params].join(', ')})`;
}

/** On a cluster: the Distributed `db.table` over every node's `db.table_local`. Nothing on one node. */
export function distributed(ctx: MigrationContext, table: ShardedTable): string[] {
  if (!ctx.cluster) return [];
  const key = SHARDING_KEYS[table];
  const args = [ctx.cluster.name, ctx.database, `${table}_local`].map(quoteString);
  if (key !== null) args.push(key);
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${table}${onCluster(ctx)} AS ${stored(ctx, table)}
    ENGINE = Distributed(${args.join(', ')})`,
  ];
}

/**
 * `ALTER TABLE … <change>` of a stored table's columns. On a cluster the change runs ON CLUSTER on
 * the local tables, then the Distributed table is created again over them: 18.16 refuses ALTER ON
 * CLUSTER of a Distributed table when shards use internal_replication ("Table … isn't replicated,
 * but shard #1 is replicated according to its cluster definition", code 371). A Distributed table
 * holds no rows (inserts are synchronous, see docs/scale-out.md), so dropping it loses nothing, but
 * queries and inserts fail for that instant: such migrations run before new services start.
 */
export function alterColumns(ctx: MigrationContext, table: ShardedTable, change: string): string[] {
  const alter = `ALTER TABLE ${stored(ctx, table)}${onCluster(ctx)} ${change}`;
  if (!ctx.cluster) return [alter];
  return [
    alter,
    `DROP TABLE IF EXISTS ${ctx.db}.${table}${onCluster(ctx)}`,
    ...distributed(ctx, table),
  ];
}

/** The statements before any migration: the database and the table of applied migrations. */
export function bootstrapStatements(ctx: MigrationContext): string[] {
  return [`CREATE DATABASE IF NOT EXISTS ${ctx.db}${onCluster(ctx)}`, bookkeepingTable(ctx)];
}

// Applied migrations. On a cluster every node holds all of it (one replica set across the whole
// cluster: no {shard} in the path, `{shard}-{replica}` as replica name so names stay unique even
// where each shard calls its replicas r1, r2), so whichever node `migrate` talks to knows what was
// applied and a migration runs once per cluster, not once per node.
function bookkeepingTable(ctx: MigrationContext): string {
  if (!ctx.cluster) {
    return `CREATE TABLE IF NOT EXISTS ${ctx.db}.schema_migrations (
        version UInt32, name String, applied_at DateTime
      ) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`;
  }
  const path = quoteString(
    `${ctx.cluster.zookeeperPath}/all-shards/${ctx.database}/schema_migrations`,
  );
  return `CREATE TABLE IF NOT EXISTS ${ctx.db}.schema_migrations${onCluster(ctx)} (
        version UInt32, name String, applied_at DateTime
      ) ENGINE = ReplicatedReplacingMergeTree(${path}, '{shard}-{replica}', applied_at) ORDER BY version`;
}
