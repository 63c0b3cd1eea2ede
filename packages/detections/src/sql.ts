import {
  IN_LIST_MAX_BYTES,
  IN_LIST_MAX_VALUES,
  inListChunks,
  queryByChunks,
  quoteUInt,
  sqlValues,
  type SqlValues,
} from '@denyscope/clickhouse';
import { FOREIGN_SQL } from '@denyscope/events';
import type { EvaluationContext } from './finding.js';

/** A DateTime literal for a JS Date (second precision, the precision of the tables). */
export function dateTime(date: Date): string {
  return `toDateTime(${quoteUInt(Math.floor(date.getTime() / 1000))})`;
}

// Lists that grow with the data go through queryByChunks (packages/clickhouse/src/in-list.ts):
// one `IN (…)` list of them all exceeded max_query_size and failed the rule (issue 11).
export { IN_LIST_MAX_BYTES, IN_LIST_MAX_VALUES, inListChunks, queryByChunks };

const LITERALS = { queryParameters: false };

/**
 * Runs the query `build` writes with the untrusted values it put in `v`: query parameters where
 * the server has them (ctx.capabilities), quoted literals on 18.16 (bind.ts). Every rule query
 * goes through here, so no key, ID, route or address is ever parsed as SQL on a current server.
 */
export function select<T>(ctx: EvaluationContext, build: (v: SqlValues) => string): Promise<T[]> {
  const v = sqlValues(ctx.capabilities ?? LITERALS);
  return ctx.query<T>(build(v), v.params);
}

/**
 * `IN` list of strings (`('a', 'b')` or `{v0:Array(String)}`); callers only pass non-empty lists.
 * A list longer than IN_LIST_MAX_BYTES (as quoted text) is refused on both paths: lists that grow
 * with the data go through queryByChunks, which also keeps a parameter's URL bounded (in-list.ts).
 */
export function inList(v: SqlValues, values: readonly string[]): string {
  const text = sqlValues(LITERALS).strings(values);
  const bytes = Buffer.byteLength(text);
  if (bytes > IN_LIST_MAX_BYTES) {
    throw new RangeError(
      `an IN list of ${values.length} values is ${bytes} bytes, over ${IN_LIST_MAX_BYTES}: ` +
        'split it with queryByChunks (packages/detections/src/sql.ts)',
    );
  }
  return v.parameters ? v.strings(values) : text;
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
export const SHAREABLE_ID = `NOT (${FOREIGN_SQL})`;

export function fromUnix(seconds: number | string): Date {
  return new Date(Number(seconds) * 1000);
}

/** SQL condition for a rule's `routes` setting; `1` when it does not restrict anything. */
export function routeFilter(
  v: SqlValues,
  routes: { include: readonly string[]; exclude: readonly string[] },
): string {
  const parts: string[] = [];
  if (routes.include.length > 0) parts.push(`route IN ${inList(v, routes.include)}`);
  if (routes.exclude.length > 0) parts.push(`route NOT IN ${inList(v, routes.exclude)}`);
  return parts.length > 0 ? parts.join(' AND ') : '1';
}
