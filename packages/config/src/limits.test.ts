import { describe, expect, it } from 'vitest';
import { configProblems, loadConfig } from './load-config.js';

// The detector's blast-radius options are tested beside its section (services/detector).
describe('query-limit options', () => {
  it('has bounded defaults', () => {
    const config = loadConfig({});
    expect(config.clickhouse.queryLimits).toEqual({ timeoutS: 50, maxMemoryBytes: 4_000_000_000 });
  });

  it('refuses limits out of range', () => {
    expect(configProblems({ CLICKHOUSE_QUERY_TIMEOUT_S: '0' })).toHaveLength(1);
    expect(configProblems({ CLICKHOUSE_QUERY_MAX_MEMORY_BYTES: '1000' })).toHaveLength(1);
  });
});
