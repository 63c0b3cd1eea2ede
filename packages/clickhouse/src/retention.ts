import type { ClickHouseClient } from '@clickhouse/client';
import { quoteIdentifier, quoteString } from './quote.js';

// Every day-partitioned table of the schema. Retention drops whole partitions: instant, works on
// 18.16 (which has no TTL), and leaves no half-deleted day behind.
const DAY_PARTITIONED_TABLES = [
  'denials',
  'denials_per_minute',
  'request_totals',
  'foreign_access',
];

function partitionIdOfDay(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * Drops every daily partition older than `retentionDays` (counted back from `now`, in UTC).
 * Returns the partitions dropped as `table/partition_id`.
 */
export async function dropExpiredPartitions(
  client: ClickHouseClient,
  database: string,
  retentionDays: number,
  now: Date = new Date(),
): Promise<string[]> {
  const cutoff = partitionIdOfDay(new Date(now.getTime() - retentionDays * 86_400_000));
  const db = quoteIdentifier(database);
  const result = await client.query({
    query: `SELECT DISTINCT table, partition_id FROM system.parts
      WHERE database = ${quoteString(database)} AND active
        AND table IN (${DAY_PARTITIONED_TABLES.map(quoteString).join(', ')})
        AND partition_id < ${quoteString(cutoff)}`,
    format: 'JSONEachRow',
  });
  const expired = await result.json<{ table: string; partition_id: string }>();
  for (const { table, partition_id } of expired) {
    await client.command({
      query: `ALTER TABLE ${db}.${quoteIdentifier(table)} DROP PARTITION ID ${quoteString(partition_id)}`,
    });
  }
  return expired.map(({ table, partition_id }) => `${table}/${partition_id}`);
}
