import { distributed, engine, onCluster, stored } from './layout.js';
import { lowCardinality, ttlClause, type Migration } from './types.js';

// Request totals per key/account/env/minute/status class, pre-aggregated by the ingest process so
// successes are counted without storing each one.
//
// Exactly-once counting on an at-least-once pipeline: every row names the Kafka partition and the
// offset range [start_offset, end_offset] it summarises. A retried insert writes identical rows,
// which ReplacingMergeTree folds (read with FINAL). ingest_offsets keeps, per partition, the
// highest offset already counted; it is written by a materialized view in the same INSERT as the
// totals, so after a crash between insert and offset commit, the next owner of the partition
// skips the counted range instead of counting it twice. On a cluster, request_totals is sharded by
// (topic, partition), so a partition's rows and the ingest_offsets row the view derives from them
// are written by one local INSERT on one shard (layout.ts, docs/scale-out.md).
export const requestTotals: Migration = {
  version: 3,
  name: 'request_totals',
  statements: (ctx) => [
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'request_totals')}${onCluster(ctx)} (
      minute DateTime,
      env ${lowCardinality(ctx, 'String')},
      key_id String,
      account_id String,
      status_class UInt8,
      requests UInt64,
      denials UInt64,
      topic String,
      partition UInt32,
      start_offset UInt64,
      end_offset UInt64
    )
    ENGINE = ${engine(ctx, 'request_totals', 'ReplacingMergeTree')}
    PARTITION BY toDate(minute)
    ORDER BY (minute, env, key_id, account_id, status_class, topic, partition, start_offset)
    ${ttlClause(ctx, 'toDate(minute)')}`,
    ...distributed(ctx, 'request_totals'),
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'ingest_offsets')}${onCluster(ctx)} (
      topic String,
      partition UInt32,
      end_offset UInt64
    )
    ENGINE = ${engine(ctx, 'ingest_offsets', 'ReplacingMergeTree', 'end_offset')}
    ORDER BY (topic, partition)`,
    ...distributed(ctx, 'ingest_offsets'),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.db}.ingest_offsets_mv${onCluster(ctx)}
    TO ${stored(ctx, 'ingest_offsets')}
    AS SELECT topic, partition, max(end_offset) AS end_offset
    FROM ${stored(ctx, 'request_totals')}
    GROUP BY topic, partition`,
  ],
};
