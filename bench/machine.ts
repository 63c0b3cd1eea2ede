import { cpus, totalmem, platform, release } from 'node:os';
import { createClickHouseClient } from '@denyscope/clickhouse';
import { stackEnv } from '@denyscope/testkit';
import { readFileSync } from 'node:fs';

/** What the numbers were measured on: they mean nothing without it. */
export async function describeMachine() {
  const client = createClickHouseClient({
    url: stackEnv.CLICKHOUSE_URL,
    database: 'default',
    user: 'default',
    password: '',
  });
  const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const [row] = await result.json<{ v: string }>();
  await client.close();
  const pom = readFileSync(new URL('../infra/kafka/pom.xml', import.meta.url), 'utf8');
  const kafka = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  return {
    cores: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    kafka: kafka ?? 'unknown',
    clickhouse: row?.v ?? 'unknown',
    co_located: 'Kafka, ClickHouse and Redis on the same machine',
  };
}
