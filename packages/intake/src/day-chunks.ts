/**
 * Current ClickHouse rejects an INSERT block that touches more than `max_partitions_per_insert_block`
 * partitions (100 by default; code 252, "Too many partitions for single INSERT block"), and the
 * same block fails the same way on every retry. Every day-partitioned table (`PARTITION BY
 * toDate(…)`) is therefore written in chunks of at most this many days. Days are counted in UTC
 * while the server's `toDate` uses its own time zone: a chunk of 90 UTC days touches at most 91
 * server days, well under 100. (18.16 has no such limit; chunking costs it nothing.)
 */
export const MAX_DAYS_PER_INSERT = 90;

const DAY_S = 86_400;

/**
 * The rows in chunks of at most `maxDays` distinct UTC days, oldest days first; `[rows]` itself
 * when they already fit, which is every batch of live traffic. `secondsOf` gives a row's
 * partitioning time in unix seconds.
 */
export function chunkByDay<Row>(
  rows: readonly Row[],
  secondsOf: (row: Row) => number,
  maxDays: number = MAX_DAYS_PER_INSERT,
): (readonly Row[])[] {
  if (rows.length === 0) return [];
  // Live traffic spans a day or two: count days first, and group only when they do not fit.
  const seen = new Set<number>();
  for (const row of rows) {
    seen.add(Math.floor(secondsOf(row) / DAY_S));
    if (seen.size > maxDays) break;
  }
  if (seen.size <= maxDays) return [rows];
  const byDay = new Map<number, Row[]>();
  for (const row of rows) {
    const day = Math.floor(secondsOf(row) / DAY_S);
    const dayRows = byDay.get(day);
    if (dayRows === undefined) byDay.set(day, [row]);
    else dayRows.push(row);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const chunks: Row[][] = [];
  for (let i = 0; i < days.length; i += maxDays) {
    chunks.push(days.slice(i, i + maxDays).flatMap((day) => byDay.get(day) ?? []));
  }
  return chunks;
}
