import { alterColumns } from './layout.js';
import { addColumn, type Migration } from './types.js';

// How far behind each partition's consumer is, so the detector can wait for it. ingest_watermarks
// says how far in event time each partition got; with `lag` (messages left in the partition after
// the batch that wrote the row, as Kafka reported with that fetch) and `written_at` (wall time of
// the write) the detector can tell a partition that is still working through a backlog, whose
// older events are yet to come, from one that is caught up or no longer read (docs/architecture.md,
// "Watermark"). Rows written before this migration read as caught up (lag 0).
// Two statements: 18.16 has no ADD COLUMN IF NOT EXISTS, and migrate() treats "already exists" as
// done, which is only safe with one column per statement (current servers get IF NOT EXISTS).
export const partitionLag: Migration = {
  version: 6,
  name: 'partition_lag',
  statements: (ctx) => [
    ...alterColumns(ctx, 'ingest_watermarks', addColumn(ctx, 'lag UInt64 DEFAULT 0')),
    ...alterColumns(ctx, 'ingest_watermarks', addColumn(ctx, 'written_at DateTime DEFAULT now()')),
  ],
};
