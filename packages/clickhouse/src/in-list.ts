import { quoteString } from './quote.js';

// Lists of subjects found in the data (keys, addresses) are as long as an attacker makes them. One
// `IN (…)` text with them all exceeded ClickHouse's max_query_size (262,144 bytes by default;
// "Max query size exceeded", code 62) and failed the query (issue 11). So such lists go in
// chunks: one query per chunk of at most IN_LIST_MAX_VALUES values and IN_LIST_MAX_BYTES of list
// text, which leaves room for a query that repeats its list twice. Where the list travels as an
// `Array(String)` query parameter instead (bind.ts), the same bound keeps the request URL, which
// carries the parameters, within the server's http_max_uri_size (1 MiB) and each value within
// http_max_field_value_size (128 KiB).

/** Values per `IN (…)` list of one query. */
export const IN_LIST_MAX_VALUES = 1_000;
/** UTF-8 bytes of one `IN (…)` list text: a quarter of the default max_query_size. */
export const IN_LIST_MAX_BYTES = 64 * 1024;

/**
 * `values` in order, split so that each chunk has at most `maxValues` values and its quoted list
 * text at most `maxBytes` bytes (a single longer value is a chunk of its own).
 */
export function inListChunks(
  values: readonly string[],
  limits = { maxValues: IN_LIST_MAX_VALUES, maxBytes: IN_LIST_MAX_BYTES },
): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let bytes = 2; // the parentheses
  for (const value of values) {
    const size = Buffer.byteLength(quoteString(value)) + 2; // and ', '
    if (chunk.length > 0 && (chunk.length >= limits.maxValues || bytes + size > limits.maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 2;
    }
    chunk.push(value);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Runs `run` once per chunk of `values` (inListChunks), one after the other so a flood costs time,
 * not parallel load, and concatenates the rows. Only for queries whose rows each belong to one
 * listed value (filtered by the list and grouped by the listed column), so a chunk never splits a
 * group. No values, no query.
 */
export async function queryByChunks<T>(
  values: readonly string[],
  run: (chunk: readonly string[]) => Promise<T[]>,
): Promise<T[]> {
  const rows: T[] = [];
  for (const chunk of inListChunks(values)) rows.push(...(await run(chunk)));
  return rows;
}
