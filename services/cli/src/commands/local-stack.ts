import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClickHouseClient } from '@denyscope/clickhouse';
import type { SharedConfig } from '@denyscope/config';

const STACK = fileURLToPath(new URL('../../../../infra/stack/stack.sh', import.meta.url));

/**
 * Commands that work on the local stack by default (replay) start its ClickHouse when nothing
 * else is configured and nothing answers. A configured CLICKHOUSE_URL is never second-guessed.
 */
export async function ensureLocalClickHouse(
  config: SharedConfig,
  env = process.env,
): Promise<void> {
  if (env.CLICKHOUSE_URL !== undefined && env.CLICKHOUSE_URL !== '') return;
  const client = createClickHouseClient(config.clickhouse, { database: null });
  const { success } = await client.ping();
  await client.close();
  if (success) return;
  process.stderr.write(
    'ClickHouse is not running; starting the local stack (npm run stack:up clickhouse)\n',
  );
  await promisify(execFile)('bash', [STACK, 'up', 'clickhouse'], { timeout: 300_000 });
}
