import type { ServerCapabilities } from '../server-version.js';

export interface MigrationContext {
  /** The database name, already backquoted. */
  db: string;
  caps: ServerCapabilities;
  retentionDays: number;
}

/**
 * One numbered schema step. Every statement must be idempotent (`IF NOT EXISTS`): two instances
 * may run the same migration at the same moment, and ClickHouse has no transactions or locks to
 * stop them, so converging on the same schema is what makes concurrent runs safe.
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
