import { loadConfig } from '@denyscope/config';
import { DEFAULT_KEY_READS_PER_MINUTE } from '@denyscope/intake';
import { configRejections } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { ingestSection } from './config.js';

const sections = { ingest: ingestSection };
const ingest = (env: Record<string, string>) => loadConfig(env, sections).ingest;

const problemsOf = (env: Record<string, string>) => configRejections(env, sections);

describe('ingest section', () => {
  it('has the documented defaults', () => {
    expect(ingest({})).toEqual({
      batchMaxRows: 50_000,
      flushIntervalMs: 1_000,
      maxBufferBytes: 64 * 1_048_576,
      retryMaxMs: 30_000,
      keyReadsPerMinute: 100,
    });
  });

  it('parses numbers and durations', () => {
    expect(ingest({ INGEST_BATCH_MAX_ROWS: '5000' }).batchMaxRows).toBe(5000);
    expect(ingest({ INGEST_FLUSH_INTERVAL_MS: '250ms' }).flushIntervalMs).toBe(250);
    expect(problemsOf({ INGEST_BATCH_MAX_ROWS: '-3' }).join('\n')).toMatch(
      /INGEST_BATCH_MAX_ROWS: expected a whole number/,
    );
  });

  it('caps the reads per key and minute that ingest records, 0 to 10000, 100 by default', () => {
    expect(ingest({}).keyReadsPerMinute).toBe(100);
    // The same default as intake's, which `denyscope replay` uses without the setting.
    expect(DEFAULT_KEY_READS_PER_MINUTE).toBe(100);
    expect(ingest({ INGEST_KEY_READS_PER_MINUTE: '0' }).keyReadsPerMinute).toBe(0);
    expect(ingest({ INGEST_KEY_READS_PER_MINUTE: '10000' }).keyReadsPerMinute).toBe(10_000);
    expect(problemsOf({ INGEST_KEY_READS_PER_MINUTE: '10001' })[0]).toMatch(
      /^INGEST_KEY_READS_PER_MINUTE: /,
    );
    expect(problemsOf({ INGEST_KEY_READS_PER_MINUTE: '-1' })[0]).toMatch(
      /^INGEST_KEY_READS_PER_MINUTE: /,
    );
  });

  it('leaves the message size limit, which replay applies too, to the shared section', () => {
    expect(loadConfig({ INGEST_MAX_MESSAGE_BYTES: '2048' }, sections).events.maxMessageBytes).toBe(
      2048,
    );
  });
});
