export { runIngest, type RunningIngest } from './run-ingest.js';
export { IngestService, reasonKindOf } from './ingest-service.js';
