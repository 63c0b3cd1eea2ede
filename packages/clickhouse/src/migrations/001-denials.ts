import { distributed, engine, onCluster, stored } from './layout.js';
import { lowCardinality, ttlClause, type Migration } from './types.js';

// One row per ownership_denied response. Nullable inputs are stored as '' (key_id, account_id,
// resource_id ...) so that ORDER BY and GROUP BY stay cheap on 18.16; owner_state keeps the three
// states of resource_owner apart: 0 = unknown (absent), 1 = no such resource (null), 2 = owned by
// resource_owner. ReplacingMergeTree on a key ending in request_id folds the duplicates that an
// at-least-once replay may write; queries that count use uniqExact(request_id) regardless.
export const denials: Migration = {
  version: 1,
  name: 'denials',
  statements: (ctx) => [
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'denials')}${onCluster(ctx)} (
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
      resource_owner String,
      owner_state UInt8,
      client_ip String,
      user_agent String,
      latency_ms Float32,
      ingested_at DateTime DEFAULT now()
    )
    ENGINE = ${engine(ctx, 'denials', 'ReplacingMergeTree')}
    PARTITION BY toDate(event_time)
    ORDER BY (key_id, event_time, request_id)
    ${ttlClause(ctx, 'toDate(event_time)')}`,
    ...distributed(ctx, 'denials'),
  ],
};
