import {
  createClickHouseClient,
  migrate,
  quoteIdentifier,
  type ClickHouseClient,
} from '@denyscope/clickhouse';
import { stackEnv } from './stack-env.js';

/** `url`: the ClickHouse of another stack than the shared one (e.g. a private stack's). */
export function connectionFor(database: string, url = stackEnv.CLICKHOUSE_URL) {
  return { url, database, user: 'default', password: '' };
}

/** A fresh, migrated database for one test, and a client bound to it. */
export async function migratedDatabase(
  database: string,
  url = stackEnv.CLICKHOUSE_URL,
): Promise<ClickHouseClient> {
  await migrate(connectionFor(database, url), { retentionDays: 30 });
  return createClickHouseClient(connectionFor(database, url));
}

export async function dropDatabase(database: string, url = stackEnv.CLICKHOUSE_URL): Promise<void> {
  const client = createClickHouseClient(connectionFor(database, url), { database: null });
  try {
    await client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` });
  } finally {
    await client.close();
  }
}

export async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}
