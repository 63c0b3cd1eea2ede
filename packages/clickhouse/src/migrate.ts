import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient, type ClickHouseConnection } from './client.js';
import { clickHouseErrorCode } from './errors.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import { quoteIdentifier, quoteString } from './quote.js';
import { readServerCapabilities } from './server-version.js';

// 57 TABLE_ALREADY_EXISTS, 82 DATABASE_ALREADY_EXISTS: two instances racing through the same
// `IF NOT EXISTS` statement can both pass the existence check; the loser's error means the object
// it wanted is there, which is success. 44 with "already exists" is ADD COLUMN of a column that is
// there: 18.16 has no `ADD COLUMN IF NOT EXISTS`, so this is how such a migration stays idempotent.
function alreadyExists(error: unknown): boolean {
  const code = clickHouseErrorCode(error);
  if (code === '57' || code === '82') return true;
  return code === '44' && error instanceof Error && error.message.includes('already exists');
}

export interface MigrateOptions {
  retentionDays: number;
  /** Defaults to every migration of this package; tests may pass a prefix of the list. */
  migrations?: readonly Migration[];
  log?: (fields: Record<string, unknown>, message: string) => void;
}

export interface MigrateResult {
  serverVersion: string;
  applied: number[];
  alreadyApplied: number[];
}

async function runIdempotent(client: ClickHouseClient, query: string): Promise<void> {
  try {
    await client.command({ query });
  } catch (error) {
    if (alreadyExists(error)) return;
    throw error;
  }
}

async function appliedMigrations(
  client: ClickHouseClient,
  db: string,
): Promise<Map<number, string>> {
  const result = await client.query({
    query: `SELECT version, name FROM ${db}.schema_migrations FINAL`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: number | string; name: string }>();
  return new Map(rows.map((row) => [Number(row.version), row.name]));
}

/**
 * Creates the database and applies every migration not yet recorded in schema_migrations, in
 * order. Safe to run from several instances at once (see Migration).
 */
export async function migrate(
  connection: ClickHouseConnection,
  options: MigrateOptions,
): Promise<MigrateResult> {
  const migrations = options.migrations ?? allMigrations;
  const db = quoteIdentifier(connection.database);
  const bootstrap = createClickHouseClient(connection, { database: null });
  try {
    const caps = await readServerCapabilities(bootstrap);
    await runIdempotent(bootstrap, `CREATE DATABASE IF NOT EXISTS ${db}`);
    await runIdempotent(
      bootstrap,
      `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (
        version UInt32, name String, applied_at DateTime
      ) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
    );

    const recorded = await appliedMigrations(bootstrap, db);
    const result: MigrateResult = {
      serverVersion: caps.version.text,
      applied: [],
      alreadyApplied: [],
    };
    const ctx = { db, caps, retentionDays: options.retentionDays };

    for (const migration of migrations) {
      const recordedName = recorded.get(migration.version);
      if (recordedName !== undefined) {
        if (recordedName !== migration.name) {
          throw new Error(
            `migration ${migration.version} is recorded as "${recordedName}" but the code calls it "${migration.name}": two migrations share a number`,
          );
        }
        result.alreadyApplied.push(migration.version);
        continue;
      }
      for (const statement of migration.statements(ctx)) await runIdempotent(bootstrap, statement);
      await bootstrap.command({
        query: `INSERT INTO ${db}.schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${quoteString(migration.name)}, now())`,
      });
      options.log?.({ version: migration.version, name: migration.name }, 'migration applied');
      result.applied.push(migration.version);
    }
    return result;
  } finally {
    await bootstrap.close();
  }
}
