import { alterColumns, distributed, engine, onCluster, stored } from './layout.js';
import { addColumn, lowCardinality, ttlClause, type Migration } from './types.js';

// The platform's own facts about what a key and its account legitimately use, so that rules judge
// scanning by the IDs a key addressed rather than by request counts (docs/rules.md, "Facts"):
//
// - key_resources: per key and minute, the distinct resource IDs the key addressed successfully
//   (2xx on a resource of its own account, or whose owner the log does not say). `action` tells a
//   read (0) from a write (1: POST, PUT, PATCH) and a delete (2). Ingest sends each (key, minute,
//   ID, action) at most once per batch, and at most a capped number of reads per key and minute
//   (writes and deletes always): the rules need "how many distinct IDs does this key read", and a
//   key reading more than the cap is plainly not guessing. ReplacingMergeTree folds the copies of
//   other batches and of replays; readers count with uniqExact, so unfolded copies do not matter.
// - account_resources: per account, the resource IDs it is known to have used successfully (first
//   and last minute seen, minute of the last 2xx DELETE), rolled up from key_resources by a
//   materialized view. A denied ID the account itself read, created or deleted before is a stale
//   ID (a deleted resource, a hard-coded fixture), not a guess. Sorted by (account_id,
//   resource_id) so that the rules look IDs up by key instead of scanning the reads.
// - denials.client_net: the network of client_ip (IPv4 /24, IPv6 /64, as a CIDR), computed by
//   ingest, where the address is parsed by Node's `net`: a scan spread over the addresses of one
//   network is one incident about that network. Empty for rows stored before (readers then use
//   client_ip) and when client_ip is not an address.
export const knownResources: Migration = {
  version: 7,
  name: 'known_resources',
  statements: (ctx) => [
    ...alterColumns(ctx, 'denials', addColumn(ctx, `client_net String DEFAULT '' AFTER client_ip`)),
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'key_resources')}${onCluster(ctx)} (
      minute DateTime,
      env ${lowCardinality(ctx, 'String')},
      key_id String,
      account_id String,
      resource_id String,
      action UInt8
    )
    ENGINE = ${engine(ctx, 'key_resources', 'ReplacingMergeTree')}
    PARTITION BY toDate(minute)
    ORDER BY (key_id, minute, resource_id, action)
    ${ttlClause(ctx, 'toDate(minute)')}`,
    ...distributed(ctx, 'key_resources'),
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'account_resources')}${onCluster(ctx)} (
      day Date,
      account_id String,
      resource_id String,
      first_seen AggregateFunction(min, DateTime),
      last_seen AggregateFunction(max, DateTime),
      deleted_at AggregateFunction(maxIf, DateTime, UInt8)
    )
    ENGINE = ${engine(ctx, 'account_resources', 'AggregatingMergeTree')}
    PARTITION BY day
    ORDER BY (account_id, resource_id)
    ${ttlClause(ctx, 'day')}`,
    ...distributed(ctx, 'account_resources'),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.db}.account_resources_mv${onCluster(ctx)}
    TO ${stored(ctx, 'account_resources')}
    AS SELECT
      toDate(minute) AS day,
      account_id,
      resource_id,
      minState(minute) AS first_seen,
      maxState(minute) AS last_seen,
      maxIfState(minute, action = 2) AS deleted_at
    FROM ${stored(ctx, 'key_resources')}
    WHERE account_id != '' AND resource_id != ''
    GROUP BY day, account_id, resource_id`,
  ],
};
