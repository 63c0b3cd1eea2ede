export { runIngest, type RunningIngest } from './run-ingest.js';
export { IngestService } from './ingest-service.js';
// The one path from a message's bytes to stored rows, shared with `denyscope replay` so that a
// replay stores exactly what ingest would.
export { EventIntake, reasonKindOf, type IntakeOptions } from './event-intake.js';
export { PendingBatch, type DeadLetter, type PartitionProgress } from './pending-batch.js';
export { ClickHouseWriter } from './clickhouse-writer.js';
export {
  KeyResources,
  actionOf,
  type KeyResourceAction,
  type KeyResourceRow,
} from './key-resources.js';
export { denialRow, isForeignAccess, type DenialRow } from './rows.js';
export { PartitionTotals, type RequestTotalsRow } from './request-totals.js';
export { INGEST_NODE_ARGS } from './node-args.js';
