export { runIngest, type RunningIngest } from './run-ingest.js';
export { IngestService, reasonKindOf } from './ingest-service.js';
// The row builders, shared with `denyscope replay` so a replay classifies exactly as ingest does.
export { denialRow, isForeignAccess, type DenialRow } from './rows.js';
export { PartitionTotals, type RequestTotalsRow } from './request-totals.js';
export { createKafka } from './kafka-client.js';
export { INGEST_NODE_ARGS } from './node-args.js';
