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
