import { quoteString, quoteUInt } from '@denyscope/clickhouse';

/** A DateTime literal for a JS Date (second precision, the precision of the tables). */
export function dateTime(date: Date): string {
  return `toDateTime(${quoteUInt(Math.floor(date.getTime() / 1000))})`;
}

/** `IN (…)` list of quoted strings; callers only pass non-empty lists. */
export function inList(values: readonly string[]): string {
  return `(${values.map(quoteString).join(', ')})`;
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
export const SHAREABLE_ID = '(owner_state != 2 OR resource_owner = account_id)';

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
