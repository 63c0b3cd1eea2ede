import { describe, expect, it } from 'vitest';
import { configProblems, loadConfig } from './load-config.js';

describe('blast-radius and query-limit options', () => {
  it('has bounded defaults', () => {
    const config = loadConfig({});
    expect(config.detector.maxNewIncidentsPerRule).toBe(20);
    expect(config.detector.resolvedTtlMs).toBe(7 * 86_400_000);
    expect(config.clickhouse.queryLimits).toEqual({ timeoutS: 50, maxMemoryBytes: 4_000_000_000 });
  });

  it('refuses a resolved TTL shorter than the longest rule window (a day)', () => {
    expect(configProblems({ DETECT_RESOLVED_TTL_MS: '3600000' })).toEqual([
      expect.stringMatching(/^DETECT_RESOLVED_TTL_MS: .*86400000/),
    ]);
    expect(configProblems({ DETECT_MAX_NEW_INCIDENTS_PER_RULE: '0' })).toHaveLength(1);
    expect(configProblems({ CLICKHOUSE_QUERY_TIMEOUT_S: '0' })).toHaveLength(1);
    expect(configProblems({ CLICKHOUSE_QUERY_MAX_MEMORY_BYTES: '1000' })).toHaveLength(1);
  });
});
