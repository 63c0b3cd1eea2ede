import { alterColumns, distributed, engine, onCluster, stored } from './layout.js';
import { addColumn, lowCardinality, ttlClause, type Migration } from './types.js';

// What the detection rules need beyond migrations 1-3:
// - denials.key_env: the environment named by the key's own marker (`key_test_…` → staging), so a
//   staging key used in production is a cross-environment finding even when the IDs look fine;
// - foreign_access: non-denied responses on a resource owned by another account. A 2xx there
//   means the platform's authorization check failed (rule foreign-access-success). Same columns
//   as denials, so one row builder serves both;
// - ingest_watermarks: the newest event time each partition has delivered. The detector's
//   watermark (windows end there) is derived from it, so live runs and replays agree.
export const detectionInputs: Migration = {
  version: 4,
  name: 'detection_inputs',
  statements: (ctx) => [
    ...alterColumns(
      ctx,
      'denials',
      addColumn(ctx, `key_env ${lowCardinality(ctx, 'String')} DEFAULT '' AFTER resource_env`),
    ),
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'foreign_access')}${onCluster(ctx)} (
      event_time DateTime,
      request_id String,
      env ${lowCardinality(ctx, 'String')},
      method ${lowCardinality(ctx, 'String')},
      path String,
      route String,
      status UInt16,
      key_id String,
      account_id String,
      resource_type ${lowCardinality(ctx, 'String')},
      resource_id String,
      resource_pattern ${lowCardinality(ctx, 'String')},
      resource_num UInt64,
      has_num UInt8,
      resource_env ${lowCardinality(ctx, 'String')},
      key_env ${lowCardinality(ctx, 'String')},
      resource_owner String,
      owner_state UInt8,
      client_ip String,
      user_agent String,
      latency_ms Float32,
      ingested_at DateTime DEFAULT now()
    )
    ENGINE = ${engine(ctx, 'foreign_access', 'ReplacingMergeTree')}
    PARTITION BY toDate(event_time)
    ORDER BY (key_id, event_time, request_id)
    ${ttlClause(ctx, 'toDate(event_time)')}`,
    ...distributed(ctx, 'foreign_access'),
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'ingest_watermarks')}${onCluster(ctx)} (
      topic String,
      partition UInt32,
      max_event_time DateTime
    )
    ENGINE = ${engine(ctx, 'ingest_watermarks', 'ReplacingMergeTree', 'max_event_time')}
    ORDER BY (topic, partition)`,
    ...distributed(ctx, 'ingest_watermarks'),
  ],
};
