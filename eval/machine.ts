import { createClickHouseClient } from '@denyscope/clickhouse';
import type { SharedConfig } from '@denyscope/config';
import { cpus, platform, release, totalmem } from 'node:os';

/**
 * What the run was measured on: times to detect depend on nothing but event time, yet a reader
 * comparing runs needs the replay duration's context, and the ClickHouse version the SQL ran on.
 */
export async function describeMachine(config: SharedConfig | null): Promise<string> {
  let clickhouse = 'not used';
  if (config !== null) {
    const client = createClickHouseClient(config.clickhouse, { database: null });
    try {
      const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
      const [row] = await result.json<{ v: string }>();
      clickhouse = row?.v ?? 'unknown';
    } catch {
      clickhouse = 'unknown';
    } finally {
      await client.close();
    }
  }
  const cpu = cpus();
  return [
    `${platform()} ${release()}`,
    `${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'})`,
    `${Math.round(totalmem() / 2 ** 30)} GiB`,
    `Node ${process.version}`,
    `ClickHouse ${clickhouse}`,
  ].join(', ');
}
