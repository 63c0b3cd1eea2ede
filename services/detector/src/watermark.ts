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
  /**
   * Partitions with a row beyond wall time + DETECT_FUTURE_TOLERANCE_MS (written by a version of
   * ingest that let any event move its watermark): those rows were left out.
   */
  aheadPartitions: number;
}

/**
 * The latest time a live watermark may have: wall time + DETECT_FUTURE_TOLERANCE_MS. Whatever the
 * detector reads (ingest_watermarks, its own saved state) is clamped to it, so that no event and
 * no state poisoned by an older version can carry detection into the future (docs/rules.md,
 * "Event time, safely"). Replay never calls this: it runs on pure event time.
 */
export function liveLimit(wallMs: number, futureToleranceMs: number): Date {
  return new Date(wallMs + futureToleranceMs);
}

export function clampTo(time: Date, limit: Date): Date {
  return time.getTime() > limit.getTime() ? limit : time;
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
  progress: Pick<PartitionProgress, 'newestMs' | 'slowestLaggingMs'>,
  settings: { allowedLatenessMs: number; maxWaitMs: number },
): Date {
  let end = progress.newestMs;
  if (progress.slowestLaggingMs !== null && settings.maxWaitMs > 0) {
    end = Math.min(end, Math.max(progress.slowestLaggingMs, end - settings.maxWaitMs));
  }
  return new Date(end - settings.allowedLatenessMs);
}

/**
 * Reads the partitions' progress from ingest_watermarks; null before any event was ingested.
 * `futureToleranceMs` (live): rows beyond the server's wall time + this are not believed. Today's
 * ingest never writes them, but an older one did, and ReplacingMergeTree keeps such a row as the
 * partition's newest (its version is max_event_time) until wall time passes it. A partition left
 * with no believable row (the merge folded its newer rows into that one) counts as having reached
 * the time that row was written, never beyond the server's now().
 */
export async function readPartitionProgress(
  query: EvaluationContext['query'],
  futureToleranceMs?: number,
): Promise<PartitionProgress | null> {
  const believable =
    futureToleranceMs === undefined
      ? '1'
      : `max_event_time <= now() + ${quoteUInt(Math.floor(futureToleranceMs / 1000))}`;
  // Per partition: its newest event time, and whether its latest row reported a backlog and was
  // written recently. (18.16: no alias may repeat a column name, or it shadows the column.)
  const [row] = await query<{
    newest: number | string;
    slowest: number | string;
    lagging: number | string;
    ahead: number | string;
    n: number | string;
  }>(`
    SELECT toUnixTimestamp(max(t)) AS newest, toUnixTimestamp(minIf(t, behind)) AS slowest,
      countIf(behind) AS lagging, countIf(untrusted > 0) AS ahead, count() AS n
    FROM (
      SELECT topic, partition,
        if(countIf(${believable}) > 0, maxIf(max_event_time, ${believable}),
          least(max(written_at), now())) AS t,
        countIf(NOT (${believable})) AS untrusted,
        argMax(lag, tuple(written_at, max_event_time)) > 0
          AND max(written_at) >= now() - ${quoteUInt(LAGGING_PARTITION_SILENT_S)} AS behind
      FROM ingest_watermarks
      GROUP BY topic, partition
    )`);
  if (row === undefined || Number(row.n) === 0) return null;
  return {
    newestMs: Number(row.newest) * 1000,
    slowestLaggingMs: Number(row.lagging) > 0 ? Number(row.slowest) * 1000 : null,
    aheadPartitions: Number(row.ahead),
  };
}

export async function readWatermark(
  query: EvaluationContext['query'],
  settings: { allowedLatenessMs: number; maxWaitMs: number; futureToleranceMs?: number },
): Promise<Date | null> {
  const progress = await readPartitionProgress(query, settings.futureToleranceMs);
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
