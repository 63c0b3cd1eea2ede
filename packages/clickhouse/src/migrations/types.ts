import type { ServerCapabilities } from '../server-version.js';

/** A ClickHouse cluster to create the schema on (`CLICKHOUSE_CLUSTER`, `CLICKHOUSE_ZOOKEEPER_PATH`). */
export interface ClusterLayout {
  /** The cluster's name in the servers' `remote_servers`. */
  name: string;
  /** ZooKeeper prefix; a table's replicas meet at `<prefix>/{shard}/<database>/<table>`. */
  zookeeperPath: string;
}

export interface MigrationContext {
  /** The database name, already backquoted. */
  db: string;
  /** The same name as it is (checked to be a plain identifier), for string literals. */
  database: string;
  caps: ServerCapabilities;
  retentionDays: number;
  /** null: one node. Otherwise build tables with the helpers of layout.ts (docs/scale-out.md). */
  cluster: ClusterLayout | null;
}

/**
 * One numbered schema step. Every statement must be idempotent (`IF NOT EXISTS`): two instances
 * may run the same migration at the same moment, and ClickHouse has no transactions or locks to
 * stop them, so converging on the same schema is what makes concurrent runs safe. Tables are
 * named through layout.ts (`stored`, `engine`, `distributed`, `onCluster`) so that the same
 * migration builds the single-node schema and the cluster one.
 */
export interface Migration {
  version: number;
  name: string;
  statements(ctx: MigrationContext): string[];
}

/** `LowCardinality(T)` where the server supports it without flags, else `T`. */
export function lowCardinality(ctx: MigrationContext, type: string): string {
  return ctx.caps.lowCardinality ? `LowCardinality(${type})` : type;
}

/** A TTL clause on servers that have TTL; retention by dropping partitions covers the others. */
export function ttlClause(ctx: MigrationContext, dateExpression: string): string {
  return ctx.caps.ttl ? `TTL ${dateExpression} + INTERVAL ${ctx.retentionDays} DAY` : '';
}

/**
 * `ADD COLUMN [IF NOT EXISTS] <definition>`, for alterColumns(). On 18.16, which lacks IF NOT
 * EXISTS, migrate() takes the server's "already exists" answer as done instead: one column per
 * statement, so that answer cannot hide a column that was not added.
 */
export function addColumn(ctx: MigrationContext, definition: string): string {
  return `ADD COLUMN ${ctx.caps.addColumnIfNotExists ? 'IF NOT EXISTS ' : ''}${definition}`;
}
