// @denyscope/intake: the one path from a message's bytes to stored rows — validation and
// classification (EventIntake), the pending batch of denials, request totals and key-resource
// actions, and the ClickHouse writer. Ingest runs it on Kafka messages; `denyscope replay` and the
// tests run it on files (loadEvents), so a replay stores exactly what ingest would.
export { EventIntake, type IntakeOptions } from './event-intake.js';
export {
  PendingBatch,
  remainingLag,
  type DeadLetter,
  type PartitionProgress,
} from './pending-batch.js';
export { ClickHouseWriter } from './clickhouse-writer.js';
export { denialRow, isForeignAccess, type DenialRow } from './rows.js';
export { PartitionTotals, type RequestTotalsRow } from './request-totals.js';
export {
  DEFAULT_KEY_READS_PER_MINUTE,
  KeyResources,
  actionOf,
  type KeyResourceAction,
  type KeyResourceRow,
} from './key-resources.js';
export { loadEvents, type LoadOptions, type LoadSummary } from './load-events.js';
