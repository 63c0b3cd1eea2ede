import { quoteUInt } from '@denyscope/clickhouse';
import type { EvaluationContext } from '@denyscope/detections';

/**
 * Where windows end: the newest event time ingest has stored, minus the allowed lateness, so that
 * events arriving a little late still land inside the windows that count them. Null before any
 * event was ingested. (Event time, not wall time: a replay of the same logs evaluates the same.)
 */
export async function readWatermark(
  query: EvaluationContext['query'],
  allowedLatenessMs: number,
): Promise<Date | null> {
  const [row] = await query<{ t: number | string; n: number | string }>(
    'SELECT toUnixTimestamp(max(max_event_time)) AS t, count() AS n FROM ingest_watermarks',
  );
  if (row === undefined || Number(row.n) === 0) return null;
  return new Date(Number(row.t) * 1000 - allowedLatenessMs);
}

/**
 * The event time of the oldest row any rule can find evidence in (denials, foreign_access) at or
 * after `notBefore`; null when there is none. The first tick ever (no evaluated watermark saved
 * yet) starts its catch-up there, so that what was ingested before the detector first ran is
 * evaluated too, not only the windows that end at the watermark of that first tick.
 */
export async function readFirstEvidence(
  query: EvaluationContext['query'],
  notBefore: Date,
): Promise<Date | null> {
  const since = `toDateTime(${quoteUInt(Math.floor(notBefore.getTime() / 1000))})`;
  let first: number | null = null;
  for (const table of ['denials', 'foreign_access']) {
    const [row] = await query<{ t: number | string; n: number | string }>(
      `SELECT toUnixTimestamp(min(event_time)) AS t, count() AS n FROM ${table} WHERE event_time >= ${since}`,
    );
    if (row === undefined || Number(row.n) === 0) continue;
    first = Math.min(first ?? Infinity, Number(row.t) * 1000);
  }
  return first === null ? null : new Date(first);
}
