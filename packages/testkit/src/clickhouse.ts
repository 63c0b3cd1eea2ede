import {
  createClickHouseClient,
  migrate,
  quoteIdentifier,
  type ClickHouseClient,
} from '@denyscope/clickhouse';
import { stackEnv } from './stack-env.js';

export function connectionFor(database: string) {
  return { url: stackEnv.CLICKHOUSE_URL, database, user: 'default', password: '' };
}

/** A fresh, migrated database for one test, and a client bound to it. */
export async function migratedDatabase(database: string): Promise<ClickHouseClient> {
  await migrate(connectionFor(database), { retentionDays: 30 });
  return createClickHouseClient(connectionFor(database));
}

export async function dropDatabase(database: string): Promise<void> {
  const client = createClickHouseClient(connectionFor(database), { database: null });
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
