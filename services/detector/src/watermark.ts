import { quoteUInt } from '@denyscope/clickhouse';
import type { EvaluationContext } from '@denyscope/detections';

/**
 * A partition that reported a backlog is waited for only while its consumer keeps writing: one
 * that has not written for this long (wall time) is not being read (its instance died and the
 * group has not moved it yet, or ClickHouse refuses its rows) and no longer holds detection back.
 * Ingest writes every INGEST_FLUSH_INTERVAL_MS (1 s) while it has messages.
 */
export const LAGGING_PARTITION_SILENT_S = 60;

/** Per-partition progress, as read from ingest_watermarks (epoch ms). */
export interface PartitionProgress {
  /** The newest event time any partition delivered. */
  newestMs: number;
  /** The oldest of the newest event times among partitions still working through a backlog. */
  slowestLaggingMs: number | null;
}

/**
 * Where windows end. Partitions advance at different speeds: under a backlog one can be minutes
 * of event time behind another (docs/chaos.md, finding 8). Ending windows at the newest partition
 * would evaluate them before the slower partitions' events for them arrive, so the watermark
 * follows the slowest partition that still has a backlog, but never more than `maxWaitMs` of event
 * time behind the newest (a partition hours behind must not hold every alert for hours; its
 * events then count as late). A caught-up partition holds nothing back: what it receives next is
 * newer. Then the allowed lateness is taken off, for events that reach Kafka a little late.
 */
export function watermarkOf(
  progress: PartitionProgress,
  settings: { allowedLatenessMs: number; maxWaitMs: number },
): Date {
  let end = progress.newestMs;
  if (progress.slowestLaggingMs !== null && settings.maxWaitMs > 0) {
    end = Math.min(end, Math.max(progress.slowestLaggingMs, end - settings.maxWaitMs));
  }
  return new Date(end - settings.allowedLatenessMs);
}

/** Reads the partitions' progress from ingest_watermarks; null before any event was ingested. */
export async function readPartitionProgress(
  query: EvaluationContext['query'],
): Promise<PartitionProgress | null> {
  // Per partition: its newest event time, and whether its latest row reported a backlog and was
  // written recently. (18.16: no alias may repeat a column name, or it shadows the column.)
  const [row] = await query<{
    newest: number | string;
    slowest: number | string;
    lagging: number | string;
    n: number | string;
  }>(`
    SELECT toUnixTimestamp(max(t)) AS newest, toUnixTimestamp(minIf(t, behind)) AS slowest,
      countIf(behind) AS lagging, count() AS n
    FROM (
      SELECT topic, partition, max(max_event_time) AS t,
        argMax(lag, tuple(written_at, max_event_time)) > 0
          AND max(written_at) >= now() - ${quoteUInt(LAGGING_PARTITION_SILENT_S)} AS behind
      FROM ingest_watermarks
      GROUP BY topic, partition
    )`);
  if (row === undefined || Number(row.n) === 0) return null;
  return {
    newestMs: Number(row.newest) * 1000,
    slowestLaggingMs: Number(row.lagging) > 0 ? Number(row.slowest) * 1000 : null,
  };
}

export async function readWatermark(
  query: EvaluationContext['query'],
  settings: { allowedLatenessMs: number; maxWaitMs: number },
): Promise<Date | null> {
  const progress = await readPartitionProgress(query);
  return progress === null ? null : watermarkOf(progress, settings);
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
