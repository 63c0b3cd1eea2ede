export { runIngest } from './run-ingest.js';
export { IngestService } from './ingest-service.js';
export { INGEST_NODE_ARGS } from './node-args.js';
export { ingestSection, type IngestConfig, type IngestServiceConfig } from './config.js';
