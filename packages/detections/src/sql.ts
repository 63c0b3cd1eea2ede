import { quoteString, quoteUInt } from '@denyscope/clickhouse';

/** A DateTime literal for a JS Date (second precision, the precision of the tables). */
export function dateTime(date: Date): string {
  return `toDateTime(${quoteUInt(Math.floor(date.getTime() / 1000))})`;
}

// Lists of subjects found in the data (keys, addresses) are as long as an attacker makes them. One
// `IN (…)` text with them all exceeded ClickHouse's max_query_size (262,144 bytes by default;
// "Max query size exceeded", code 62) and failed the rule (issue 11). So such lists go through
// `queryByChunks`: one query per chunk of at most IN_LIST_MAX_VALUES values and IN_LIST_MAX_BYTES
// of list text, which leaves room for a query that repeats its list twice.

/** Values per `IN (…)` list of one query. */
export const IN_LIST_MAX_VALUES = 1_000;
/** UTF-8 bytes of one `IN (…)` list text: a quarter of the default max_query_size. */
export const IN_LIST_MAX_BYTES = 64 * 1024;

/**
 * `IN (…)` list of quoted strings; callers only pass non-empty lists. A list longer than
 * IN_LIST_MAX_BYTES is refused: lists that grow with the data go through queryByChunks.
 */
export function inList(values: readonly string[]): string {
  const text = `(${values.map(quoteString).join(', ')})`;
  const bytes = Buffer.byteLength(text);
  if (bytes > IN_LIST_MAX_BYTES) {
    throw new RangeError(
      `an IN list of ${values.length} values is ${bytes} bytes, over ${IN_LIST_MAX_BYTES}: ` +
        'split it with queryByChunks (packages/detections/src/sql.ts)',
    );
  }
  return text;
}

/**
 * `values` in order, split so that each chunk has at most `maxValues` values and its inList text
 * at most `maxBytes` bytes (a single longer value is a chunk of its own, and inList refuses it).
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

/** The window [watermark − minutes, watermark]. */
export function windowOf(watermark: Date, minutes: number): { start: Date; end: Date } {
  return { start: new Date(watermark.getTime() - minutes * 60_000), end: watermark };
}

/** Raw-table filter for a window: events after start, up to and including end. */
export function eventTimeIn(window: { start: Date; end: Date }): string {
  return `event_time > ${dateTime(window.start)} AND event_time <= ${dateTime(window.end)}`;
}

/** Rollup filter: every minute bucket that overlaps the window. */
export function minuteIn(window: { start: Date; end: Date }): string {
  return `minute >= toStartOfMinute(${dateTime(window.start)}) AND minute <= ${dateTime(window.end)}`;
}

/**
 * Restricts sample IDs to those that are safe to show anyone: IDs that do not exist, whose owner
 * is unknown, or that belong to the key's own account. Another account's resource IDs never leave
 * denyscope in evidence; their count does.
 */
/** A row about another account's existing resource: the one spelling of that condition. */
export const FOREIGN = 'owner_state = 2 AND resource_owner != account_id';

export const SHAREABLE_ID = `NOT (${FOREIGN})`;

export function fromUnix(seconds: number | string): Date {
  return new Date(Number(seconds) * 1000);
}

/** SQL condition for a rule's `routes` setting; `1` when it does not restrict anything. */
export function routeFilter(routes: {
  include: readonly string[];
  exclude: readonly string[];
}): string {
  const parts: string[] = [];
  if (routes.include.length > 0) parts.push(`route IN ${inList(routes.include)}`);
  if (routes.exclude.length > 0) parts.push(`route NOT IN ${inList(routes.exclude)}`);
  return parts.length > 0 ? parts.join(' AND ') : '1';
}
