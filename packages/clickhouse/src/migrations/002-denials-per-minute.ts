import { FOREIGN_SQL, NO_SUCH_RESOURCE_SQL, OWNED_SQL } from '@denyscope/events';
import { distributed, engine, onCluster, stored } from './layout.js';
import { lowCardinality, ttlClause, type Migration } from './types.js';

// Per-minute rollup of denials by key, account, env and resource pattern, filled by a materialized
// view on every insert into denials. Counts are uniqExact over request_id, so a replayed batch
// does not inflate them. The -If states keep the owner-based facts the rules need:
//   owners: distinct accounts owning the addressed resources (as a count, never their IDs),
//   missing_ids: distinct IDs that do not exist, foreign_ids: distinct IDs owned by another
//   account, cross_env: requests addressing an ID of another environment.
// The owner conditions come from @denyscope/events (owner-state.ts); the DDL snapshot test
// (ddl.test.ts) fails if a change there would alter this applied migration's text.
export const denialsPerMinute: Migration = {
  version: 2,
  name: 'denials_per_minute',
  statements: (ctx) => [
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'denials_per_minute')}${onCluster(ctx)} (
      minute DateTime,
      env ${lowCardinality(ctx, 'String')},
      key_id String,
      account_id String,
      resource_pattern ${lowCardinality(ctx, 'String')},
      denials AggregateFunction(uniqExact, String),
      distinct_ids AggregateFunction(uniqExact, String),
      owners AggregateFunction(uniqExactIf, String, UInt8),
      missing_ids AggregateFunction(uniqExactIf, String, UInt8),
      foreign_ids AggregateFunction(uniqExactIf, String, UInt8),
      cross_env AggregateFunction(uniqExactIf, String, UInt8),
      min_num AggregateFunction(minIf, UInt64, UInt8),
      max_num AggregateFunction(maxIf, UInt64, UInt8),
      first_seen AggregateFunction(min, DateTime),
      last_seen AggregateFunction(max, DateTime)
    )
    ENGINE = ${engine(ctx, 'denials_per_minute', 'AggregatingMergeTree')}
    PARTITION BY toDate(minute)
    ORDER BY (minute, env, key_id, account_id, resource_pattern)
    ${ttlClause(ctx, 'toDate(minute)')}`,
    ...distributed(ctx, 'denials_per_minute'),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.db}.denials_per_minute_mv${onCluster(ctx)}
    TO ${stored(ctx, 'denials_per_minute')}
    AS SELECT
      toStartOfMinute(event_time) AS minute,
      env,
      key_id,
      account_id,
      resource_pattern,
      uniqExactState(request_id) AS denials,
      uniqExactState(resource_id) AS distinct_ids,
      uniqExactIfState(resource_owner, ${OWNED_SQL}) AS owners,
      uniqExactIfState(resource_id, ${NO_SUCH_RESOURCE_SQL}) AS missing_ids,
      uniqExactIfState(resource_id, ${FOREIGN_SQL}) AS foreign_ids,
      uniqExactIfState(request_id, resource_env != '' AND resource_env != env) AS cross_env,
      minIfState(resource_num, has_num = 1) AS min_num,
      maxIfState(resource_num, has_num = 1) AS max_num,
      minState(event_time) AS first_seen,
      maxState(event_time) AS last_seen
    FROM ${stored(ctx, 'denials')}
    GROUP BY minute, env, key_id, account_id, resource_pattern`,
  ],
};
