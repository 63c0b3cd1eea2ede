import { defineSection, durationMs, int, type SharedConfig } from '@denyscope/config';
import { DEFAULT_KEY_READS_PER_MINUTE } from '@denyscope/intake';

// Ingest's configuration section (INGEST_*), loaded with the shared one by loadConfig (the CLI
// composes every service's). INGEST_MAX_MESSAGE_BYTES is shared (`config.events`): `denyscope
// replay` refuses the same messages. Documented in README.md; every `*_MS` variable is listed in
// docs/durations.md.

const ingestVariables = {
  // Ingest holds up to two batches (one pending, one being stored). With 50,000 events each, peak
  // RSS of the 1M-event benchmark was about 10 MB lower than with 100,000 (183–193 vs 196–202 MB,
  // Node 24, 2 MiB fetches) at the same CPU per event. Live traffic under 50,000 events/s per
  // instance is flushed by INGEST_FLUSH_INTERVAL_MS before it reaches either.
  INGEST_BATCH_MAX_ROWS: int(1, 1_000_000).default(50_000),
  INGEST_FLUSH_INTERVAL_MS: durationMs(10, 60_000).default(1_000),
  INGEST_MAX_BUFFER_BYTES: int(1_048_576, 2_147_483_647).default(64 * 1_048_576),
  INGEST_RETRY_MAX_MS: durationMs(100, 600_000).default(30_000),
  INGEST_KEY_READS_PER_MINUTE: int(0, 10_000).default(DEFAULT_KEY_READS_PER_MINUTE),
};

export interface IngestConfig {
  batchMaxRows: number;
  flushIntervalMs: number;
  maxBufferBytes: number;
  retryMaxMs: number;
  /**
   * Distinct resource IDs a key may read per minute that one flushed batch records in
   * key_resources (writes and deletes are never capped).
   */
  keyReadsPerMinute: number;
}

export const ingestSection = defineSection({
  variables: ingestVariables,
  build: (parsed): IngestConfig => ({
    batchMaxRows: parsed.INGEST_BATCH_MAX_ROWS,
    flushIntervalMs: parsed.INGEST_FLUSH_INTERVAL_MS,
    maxBufferBytes: parsed.INGEST_MAX_BUFFER_BYTES,
    retryMaxMs: parsed.INGEST_RETRY_MAX_MS,
    keyReadsPerMinute: parsed.INGEST_KEY_READS_PER_MINUTE,
  }),
});

/** What ingest reads: the shared settings and its own section. */
export type IngestServiceConfig = SharedConfig & { ingest: IngestConfig };
