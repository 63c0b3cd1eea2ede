import type { ClickHouseClient } from '@clickhouse/client';
import { quoteIdentifier, quoteString } from './quote.js';

// Every day-partitioned table of the schema. Retention drops whole partitions: instant, works on
// 18.16 (which has no TTL), and leaves no half-deleted day behind.
const DAY_PARTITIONED_TABLES = [
  'denials',
  'denials_per_minute',
  'request_totals',
  'foreign_access',
  'key_resources',
  'account_resources',
  'partition_clock',
];

function partitionIdOfDay(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * The cluster the database's tables were migrated onto, or null for a single node. Read from the
 * schema itself (the Distributed `denials` names its cluster) rather than from configuration, so
 * retention always matches the layout that `migrate` built.
 */
async function clusterOf(client: ClickHouseClient, database: string): Promise<string | null> {
  const result = await client.query({
    query: `SELECT engine_full FROM system.tables
      WHERE database = ${quoteString(database)} AND name = 'denials' AND engine = 'Distributed'`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ engine_full: string }>();
  if (row === undefined) return null;
  const name = /^Distributed\('?(\w+)'?,/.exec(row.engine_full)?.[1];
  if (name === undefined) throw new Error(`cannot read the cluster of ${row.engine_full}`);
  return name;
}

/**
 * Drops every daily partition older than `retentionDays` (counted back from `now`, in UTC).
 * Returns the partitions dropped as `table/partition_id`.
 *
 * On a cluster the rows live in `<table>_local` on every shard: the partitions are listed on all
 * shards (`cluster()` over system.parts) and dropped ON CLUSTER, which replicated tables carry
 * out once per shard. Dropping a partition that is already gone is not an error, so instances
 * that run this at the same time do no harm.
 */
export async function dropExpiredPartitions(
  client: ClickHouseClient,
  database: string,
  retentionDays: number,
  now: Date = new Date(),
): Promise<string[]> {
  const cutoff = partitionIdOfDay(new Date(now.getTime() - retentionDays * 86_400_000));
  const db = quoteIdentifier(database);
  const cluster = await clusterOf(client, database);
  const tables = DAY_PARTITIONED_TABLES.map((t) => (cluster === null ? t : `${t}_local`));
  const parts =
    cluster === null ? 'system.parts' : `cluster(${quoteString(cluster)}, 'system', 'parts')`;
  const result = await client.query({
    query: `SELECT DISTINCT table, partition_id FROM ${parts}
      WHERE database = ${quoteString(database)} AND active
        AND table IN (${tables.map(quoteString).join(', ')})
        AND partition_id < ${quoteString(cutoff)}`,
    format: 'JSONEachRow',
  });
  const expired = await result.json<{ table: string; partition_id: string }>();
  const onCluster = cluster === null ? '' : ` ON CLUSTER ${quoteIdentifier(cluster)}`;
  for (const { table, partition_id } of expired) {
    await client.command({
      query: `ALTER TABLE ${db}.${quoteIdentifier(table)}${onCluster} DROP PARTITION ID ${quoteString(partition_id)}`,
    });
  }
  return expired.map(({ table, partition_id }) => `${table}/${partition_id}`);
}
