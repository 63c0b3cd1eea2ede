import { distributed, engine, onCluster, stored } from './layout.js';
import { lowCardinality, type Migration } from './types.js';

// Every incident state change (opened, escalated, resolved, acknowledged), for dashboards,
// reports and `denyscope alerts list`. (alert_id, version) names a change; a retried write of the
// same change folds under ReplacingMergeTree. Monthly partitions, outside the daily retention:
// incident history is small and worth keeping longer than raw denials.
export const alerts: Migration = {
  version: 5,
  name: 'alerts',
  statements: (ctx) => [
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'alerts')}${onCluster(ctx)} (
      alert_id String,
      version UInt32,
      transition ${lowCardinality(ctx, 'String')},
      rule ${lowCardinality(ctx, 'String')},
      severity ${lowCardinality(ctx, 'String')},
      status ${lowCardinality(ctx, 'String')},
      key_id String,
      account_id String,
      client_ip String,
      env ${lowCardinality(ctx, 'String')},
      window_start DateTime,
      window_end DateTime,
      first_seen DateTime,
      last_seen DateTime,
      summary String,
      evidence String,
      runbook String,
      muted UInt8,
      note String,
      recorded_at DateTime DEFAULT now()
    )
    ENGINE = ${engine(ctx, 'alerts', 'ReplacingMergeTree')}
    PARTITION BY toYYYYMM(first_seen)
    ORDER BY (alert_id, version)`,
    ...distributed(ctx, 'alerts'),
  ],
};
