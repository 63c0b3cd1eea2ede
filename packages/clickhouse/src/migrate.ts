import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient, type ClickHouseConnection } from './client.js';
import { clickHouseErrorCode } from './errors.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import { bootstrapStatements } from './migrations/layout.js';
import type { ClusterLayout } from './migrations/types.js';
import { quoteIdentifier, quoteString } from './quote.js';
import { readServerCapabilities } from './server-version.js';

// 57 TABLE_ALREADY_EXISTS, 82 DATABASE_ALREADY_EXISTS: two instances racing through the same
// `IF NOT EXISTS` statement can both pass the existence check; the loser's error means the object
// it wanted is there, which is success. 44 with "already exists" is ADD COLUMN of a column that is
// there: 18.16 has no `ADD COLUMN IF NOT EXISTS`, so this is how such a migration stays idempotent
// there (current servers get IF NOT EXISTS, see migrations/types.ts addColumn).
// An ON CLUSTER statement fails with the failing host's code ("There was an error on [host]:
// Code: 44, … already exists"), so the same test covers cluster mode.
function alreadyExists(error: unknown): boolean {
  const code = clickHouseErrorCode(error);
  if (code === '57' || code === '82') return true;
  return code === '44' && error instanceof Error && error.message.includes('already exists');
}

export interface MigrateOptions {
  retentionDays: number;
  /** Create the schema on this cluster (CLICKHOUSE_CLUSTER); absent: on the one server. */
  cluster?: ClusterLayout | undefined;
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

// Settings the denyscope user needs on a cluster, set in its profile on every node: the services
// pass none of their own. Without the first, an INSERT into a Distributed table returns before the
// shards have the rows, so request totals and ingest_offsets are no longer written together and
// may count twice (docs/scale-out.md); without the second, queries with `IN (SELECT … FROM
// <Distributed>)` (reports) fail with "Double-distributed IN/JOIN subqueries is denied".
// distributed_foreground_insert is the name current servers give insert_distributed_sync.
const CLUSTER_SETTINGS: readonly { names: readonly string[]; value: string }[] = [
  { names: ['insert_distributed_sync', 'distributed_foreground_insert'], value: '1' },
  { names: ['distributed_product_mode'], value: 'global' },
];

async function checkClusterSettings(client: ClickHouseClient): Promise<void> {
  const names = CLUSTER_SETTINGS.flatMap((s) => s.names);
  const result = await client.query({
    query: `SELECT name, value FROM system.settings WHERE name IN (${names.map(quoteString).join(', ')})`,
    format: 'JSONEachRow',
  });
  const values = new Map(
    (await result.json<{ name: string; value: string }>()).map((row) => [row.name, row.value]),
  );
  const missing = CLUSTER_SETTINGS.filter((s) => !s.names.some((n) => values.get(n) === s.value));
  if (missing.length > 0) {
    const wanted = missing
      .map((s) => `${s.names[0]}=${s.value} (is ${values.get(s.names[0] ?? '') ?? 'unknown'})`)
      .join(', ');
    throw new Error(
      `CLICKHOUSE_CLUSTER is set, but the user's settings profile lacks ${wanted}; set them in the profile of this user on every node (docs/scale-out.md)`,
    );
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
 * order. Safe to run from several instances at once (see Migration). With `cluster`, every
 * statement runs ON CLUSTER and data tables are Replicated tables behind Distributed ones
 * (migrations/layout.ts).
 */
export async function migrate(
  connection: ClickHouseConnection,
  options: MigrateOptions,
): Promise<MigrateResult> {
  const migrations = options.migrations ?? allMigrations;
  const db = quoteIdentifier(connection.database);
  // No read-side query limits: a migration must not stop half-way on them (client.ts).
  const bootstrap = createClickHouseClient(connection, { database: null, queryLimits: null });
  try {
    const caps = await readServerCapabilities(bootstrap);
    const ctx = {
      db,
      database: connection.database,
      caps,
      retentionDays: options.retentionDays,
      cluster: options.cluster ?? null,
    };
    if (ctx.cluster) await checkClusterSettings(bootstrap);
    for (const statement of bootstrapStatements(ctx)) await runIdempotent(bootstrap, statement);

    const recorded = await appliedMigrations(bootstrap, db);
    const result: MigrateResult = {
      serverVersion: caps.version.text,
      applied: [],
      alreadyApplied: [],
    };

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
