import { alterColumns, distributed, engine, onCluster, stored } from './layout.js';
import { addColumn, ttlClause, type Migration } from './types.js';

// Events stamped ahead of wall time (docs/rules.md, "Event time, safely"). Live, ingest never
// lets an event stamped more than DETECT_FUTURE_TOLERANCE_MS beyond its wall clock advance
// ingest_watermarks: one such event used to move the detector's watermark a day ahead and resolve
// every incident. Those events are still stored and counted; what they say about the partition's
// (or a gateway's) clock goes here instead, one row per flushed batch that held any: the newest
// raw event time, how many events were ahead, and when ingest wrote it (the server's clock). The
// detector's pipeline-health rule reports a partition from these rows. Only outliers are written,
// so the table stays small; it is day-partitioned for retention like the other tables.
// ReplacingMergeTree folds the copy a retried batch writes (same partition, second and time).
//
// alerts.component: the subject of operational incidents (pipeline-health: `rule:<id>`,
// `partition:<topic>/<n>`), which have no key or address; empty for every other rule.
export const partitionClock: Migration = {
  version: 8,
  name: 'partition_clock',
  statements: (ctx) => [
    `CREATE TABLE IF NOT EXISTS ${stored(ctx, 'partition_clock')}${onCluster(ctx)} (
      topic String,
      partition UInt32,
      max_event_time DateTime,
      ahead_events UInt64,
      written_at DateTime DEFAULT now()
    )
    ENGINE = ${engine(ctx, 'partition_clock', 'ReplacingMergeTree')}
    PARTITION BY toDate(written_at)
    ORDER BY (topic, partition, written_at, max_event_time)
    ${ttlClause(ctx, 'toDate(written_at)')}`,
    ...distributed(ctx, 'partition_clock'),
    ...alterColumns(ctx, 'alerts', addColumn(ctx, `component String DEFAULT '' AFTER client_ip`)),
  ],
};
