import { createClickHouseClient, clickHouseErrorCode } from '@denyscope/clickhouse';
import { loadConfig } from '@denyscope/config';
import { connectionFor, rows, stackEnv } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';

// Issue 11, item 3: no query carried max_execution_time or max_memory_usage, so one rule, report
// or API call over an attacker's flood could hold the server for as long and as much as it took.
// Every client now sends both (client.ts); this runs them on the local server (18.16).

async function failureCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return clickHouseErrorCode(error);
  }
}

describe('query limits on the real ClickHouse', () => {
  it('sends the configured limits with every query, and the server accepts them', async () => {
    const config = loadConfig({
      ...stackEnv,
      CLICKHOUSE_QUERY_TIMEOUT_S: '7',
      CLICKHOUSE_QUERY_MAX_MEMORY_BYTES: '300000000',
    });
    const client = createClickHouseClient({ ...config.clickhouse, database: 'default' });
    try {
      const settings = await rows<{ name: string; value: string }>(
        client,
        `SELECT name, value FROM system.settings
         WHERE name IN ('max_execution_time', 'max_memory_usage') ORDER BY name`,
      );
      expect(settings).toEqual([
        { name: 'max_execution_time', value: '7' },
        { name: 'max_memory_usage', value: '300000000' },
      ]);
    } finally {
      await client.close();
    }
  });

  it('stops a query that runs too long (code 159) and one that needs too much memory (code 241)', async () => {
    const client = createClickHouseClient(
      { ...connectionFor('default'), queryLimits: { timeoutS: 1, maxMemoryBytes: 50_000_000 } },
      { database: null },
    );
    try {
      const started = Date.now();
      const slow = client.query({ query: 'SELECT count() FROM numbers(100000000000)' });
      expect(await failureCode(slow.then((r) => r.text()))).toBe('159');
      expect(Date.now() - started).toBeLessThan(10_000);
      const big = client.query({
        query: 'SELECT length(groupArray(number)) FROM numbers(100000000)',
      });
      expect(await failureCode(big.then((r) => r.text()))).toBe('241');
    } finally {
      await client.close();
    }
  });

  it('keeps the defaults when none are configured, and leaves them out on request', async () => {
    const defaults = createClickHouseClient(connectionFor('default'));
    const unlimited = createClickHouseClient(connectionFor('default'), { queryLimits: null });
    const apiLike = createClickHouseClient(connectionFor('default'), { requestTimeoutMs: 30_000 });
    const read = (client: typeof defaults) =>
      rows<{ value: string }>(
        client,
        "SELECT value FROM system.settings WHERE name = 'max_execution_time'",
      ).then(([row]) => row?.value);
    try {
      expect(await read(defaults)).toBe('50');
      expect(await read(unlimited)).toBe('0');
      // Under the request timeout: the server gives up before the client stops listening.
      expect(await read(apiLike)).toBe('29');
    } finally {
      await Promise.all([defaults.close(), unlimited.close(), apiLike.close()]);
    }
  });
});
