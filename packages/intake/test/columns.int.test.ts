import { V1_FIELDS } from '@denyscope/events';
import { dropDatabase, migratedDatabase, rows, testNames } from '@denyscope/testkit';
import { quoteString, type ClickHouseClient } from '@denyscope/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DENIAL_COLUMNS, FOREIGN_ACCESS_COLUMNS } from '../src/clickhouse-writer.js';

// Ingest's column lists come from the v1 field table plus what it derives; the migrations are
// written by hand (frozen snapshots). A field given a column in V1_FIELDS without the migration
// that adds it, or a migration column ingest never fills, fails here.

/** Filled by the server, never by ingest: the insert time. */
const SERVER_FILLED = ['ingested_at'];

/** The columns an INSERT may name: not materialized or aliased, not filled by the server. */
async function insertableColumns(
  client: ClickHouseClient,
  database: string,
  table: string,
): Promise<string[]> {
  const found = await rows<{ name: string }>(
    client,
    `SELECT name FROM system.columns WHERE database = ${quoteString(database)}
       AND table = ${quoteString(table)} AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')
     ORDER BY name`,
  );
  return found.map((column) => column.name).filter((name) => !SERVER_FILLED.includes(name));
}

describe('the columns ingest writes are the migrated tables’ columns', () => {
  const names = testNames('columns');
  let client: ClickHouseClient;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
  });

  afterAll(async () => {
    await client?.close();
    await dropDatabase(names.database);
  });

  it.each([
    { table: 'denials', columns: DENIAL_COLUMNS },
    { table: 'foreign_access', columns: FOREIGN_ACCESS_COLUMNS },
  ])('$table', async ({ table, columns }) => {
    expect(await insertableColumns(client, names.database, table)).toEqual([...columns].sort());
  });

  it('writes every stored v1 field of the table', () => {
    for (const field of V1_FIELDS) {
      if (field.column !== undefined) expect(DENIAL_COLUMNS).toContain(field.column);
    }
  });
});
