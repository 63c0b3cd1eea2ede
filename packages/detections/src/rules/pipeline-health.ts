import { RULE_SUBJECT_KINDS, runbookPath } from '@denyscope/alerts';
import { quoteUInt } from '@denyscope/clickhouse';
import { z } from 'zod';
import { atLeast, decision } from '../decision.js';
import { count, decisionEvidence, isoTime } from '../evidence.js';
import {
  subjectKeyOf,
  type EvaluationContext,
  type Finding,
  type PipelineHealthInput,
} from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { severitySetting, windowMinutes } from './settings.js';

/**
 * pipeline-health (rule catalog v1.1): denyscope's own pipeline, not a caller. An operational
 * alert (default severity low; PagerDuty takes it only when listed in NOTIFY_PAGERDUTY_RULES), one
 * incident per component, named in `subject.component`:
 *
 * - `rule:<id>`: the rule failed DETECT_RULE_FAILURE_ALERT_AFTER ticks in a row. Its windows are
 *   not lost (the detector evaluates them again from the rule's last success) but they wait.
 * - `partition:<topic>/<n>`: the partition delivered event times more than
 *   DETECT_FUTURE_TOLERANCE_MS ahead of wall time (a gateway's clock, or a forged `ts`; such
 *   events never move the watermark), or, caught up, its newest event time is far behind the time
 *   ingest wrote it (a gateway's clock behind, or logs held back on their way).
 *
 * Live only: replay (no `ctx.health`) has no wall clock to compare with, and finds nothing here.
 */
const settings = z
  .object({
    enabled: z.boolean().default(true),
    severity: severitySetting('low'),
    /** Wall-clock minutes of ingest writes the partition checks look at. */
    windowMinutes: windowMinutes(15),
    /** A caught-up partition whose newest event time is this far behind its write is reported. */
    behindMinutes: z.number().int().min(1).max(10_080).default(60),
  })
  .strict();
type Settings = z.infer<typeof settings>;

/**
 * The evidence of a pipeline-health finding (alerts.evidence), one shape per kind of component:
 * a failing rule (`rule:<id>`), a partition ahead of wall time, a partition far behind it
 * (`partition:<topic>/<n>`).
 */
export const pipelineHealthEvidence = z.union([
  z.strictObject({
    ...decisionEvidence,
    /** Failing ticks in a row. */
    failures: z.int().min(1),
    last_error: z.string(),
    /** The rule's last successful watermark; null when it never ran. */
    evaluated_until: isoTime.nullable(),
  }),
  z.strictObject({
    ...decisionEvidence,
    ahead_seconds: z.int().min(1),
    newest_event_time: isoTime,
    /** Events the partition delivered ahead of wall time (0 for an older ingest's rows). */
    events_ahead: count,
  }),
  z.strictObject({
    ...decisionEvidence,
    behind_seconds: z.int().min(1),
    newest_event_time: isoTime,
  }),
]);
type PipelineHealthEvidence = z.infer<typeof pipelineHealthEvidence>;

interface AheadRow {
  topic: string;
  partition: number | string;
  newest: number | string;
  ahead_s: number | string;
  events: number | string;
}

interface BehindRow {
  topic: string;
  partition: number | string;
  newest: number | string;
  behind_s: number | string;
}

function finding(
  component: string,
  ctx: EvaluationContext,
  s: Settings,
  summary: string,
  evidence: PipelineHealthEvidence,
  firstSeen: Date = ctx.watermark,
): Finding {
  const subject = { component };
  return {
    rule: 'pipeline-health',
    subjectKey: subjectKeyOf(subject),
    subject,
    // Not about any one deployment of the platform but denyscope's own pipeline; sinks show
    // "pipeline-health in denyscope: …".
    env: 'denyscope',
    severity: s.severity,
    window: { start: firstSeen, end: ctx.watermark },
    // Event time, as every incident: the finding holds while the tick's watermark moves on.
    firstSeen,
    lastSeen: ctx.watermark,
    summary,
    evidence,
  };
}

function failingRules(ctx: EvaluationContext, health: PipelineHealthInput, s: Settings): Finding[] {
  return health.failingRules
    .filter((failing) => failing.failures >= health.failureAlertAfter)
    .map((failing) =>
      finding(
        `rule:${failing.rule}`,
        ctx,
        s,
        `rule ${failing.rule} failed ${failing.failures} evaluations in a row; its windows since ` +
          `${failing.evaluatedUntil?.toISOString() ?? 'it last ran'} wait to be evaluated again`,
        {
          decision: decision(
            [atLeast('failures', failing.failures, health.failureAlertAfter, 'ticks in a row')],
            `${s.severity}: operational; detection by this rule is delayed, not lost`,
          ),
          failures: failing.failures,
          last_error: failing.lastError,
          evaluated_until: failing.evaluatedUntil?.toISOString() ?? null,
        },
        failing.evaluatedUntil !== null && failing.evaluatedUntil < ctx.watermark
          ? failing.evaluatedUntil
          : ctx.watermark,
      ),
    );
}

/** Partitions that delivered events ahead of wall time: partition_clock, and old watermark rows. */
async function aheadPartitions(
  ctx: EvaluationContext,
  health: PipelineHealthInput,
  s: Settings,
): Promise<Finding[]> {
  const toleranceS = Math.floor(health.futureToleranceMs / 1000);
  const recent = `written_at >= now() - ${quoteUInt(s.windowMinutes * 60)}`;
  // partition_clock holds what today's ingest kept out of the watermark; ingest_watermarks rows
  // beyond now() + tolerance are what an older ingest let in (the detector ignores them).
  const rows = await ctx.query<AheadRow>(`
    SELECT topic, partition, toUnixTimestamp(max(newest_time)) AS newest,
      max(ahead_by) AS ahead_s, sum(ahead_count) AS events
    FROM (
      SELECT topic, partition, max_event_time AS newest_time,
        toInt64(max_event_time) - toInt64(written_at) AS ahead_by, ahead_events AS ahead_count
      FROM partition_clock
      WHERE ${recent}
      UNION ALL
      SELECT topic, partition, max_event_time AS newest_time,
        toInt64(max_event_time) - toInt64(now()) AS ahead_by, toUInt64(0) AS ahead_count
      FROM ingest_watermarks
      WHERE max_event_time > now() + ${quoteUInt(toleranceS)}
    )
    GROUP BY topic, partition
    HAVING ahead_s > ${quoteUInt(toleranceS)}
    ORDER BY topic, partition`);
  return rows.map((row) => {
    const aheadS = Number(row.ahead_s);
    return finding(
      `partition:${row.topic}/${Number(row.partition)}`,
      ctx,
      s,
      `partition ${row.topic}/${Number(row.partition)} delivered event times up to ` +
        `${Math.round(aheadS / 60)} min ahead of wall time; they are stored but do not move the ` +
        `watermark (check the gateways' clocks)`,
      {
        decision: decision(
          [atLeast('ahead_seconds', aheadS, toleranceS + 1, 's (DETECT_FUTURE_TOLERANCE_MS)')],
          `${s.severity}: operational; detection goes on at wall time`,
        ),
        ahead_seconds: aheadS,
        newest_event_time: new Date(Number(row.newest) * 1000).toISOString(),
        events_ahead: Number(row.events),
      },
    );
  });
}

/** Caught-up partitions whose newest event time trails the time ingest wrote it by far. */
async function behindPartitions(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const behindS = s.behindMinutes * 60;
  // Per partition as of its latest write (18.16: inner aliases must not repeat column names).
  const rows = await ctx.query<BehindRow>(`
    SELECT topic, partition, toUnixTimestamp(newest_time) AS newest,
      toInt64(last_write) - toInt64(newest_time) AS behind_s
    FROM (
      SELECT topic, partition, max(max_event_time) AS newest_time, max(written_at) AS last_write,
        argMax(lag, tuple(written_at, max_event_time)) AS last_lag
      FROM ingest_watermarks
      WHERE max_event_time <= now()
      GROUP BY topic, partition
    )
    WHERE last_lag = 0 AND last_write >= now() - ${quoteUInt(s.windowMinutes * 60)}
      AND toInt64(last_write) - toInt64(newest_time) > ${quoteUInt(behindS)}
    ORDER BY topic, partition`);
  return rows.map((row) => {
    const behind = Number(row.behind_s);
    return finding(
      `partition:${row.topic}/${Number(row.partition)}`,
      ctx,
      s,
      `partition ${row.topic}/${Number(row.partition)} is caught up but its newest event time is ` +
        `${Math.round(behind / 60)} min behind wall time (a gateway's clock behind, or logs held back)`,
      {
        decision: decision(
          [atLeast('behind_seconds', behind, behindS + 1, 's, caught up (behindMinutes)')],
          `${s.severity}: operational; its events count as late`,
        ),
        behind_seconds: behind,
        newest_event_time: new Date(Number(row.newest) * 1000).toISOString(),
      },
    );
  });
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const health = ctx.health;
  if (health === undefined) return [];
  const partitions = new Map<string, Finding>();
  // Ahead wins over behind for one partition: one incident per component.
  for (const found of [
    ...(await behindPartitions(ctx, s)),
    ...(await aheadPartitions(ctx, health, s)),
  ]) {
    partitions.set(found.subjectKey, found);
  }
  return [...failingRules(ctx, health, s), ...partitions.values()];
}

export const pipelineHealth: RuleDefinition<Settings, 'pipeline-health'> = {
  id: 'pipeline-health',
  subject: RULE_SUBJECT_KINDS['pipeline-health'],
  runbook: runbookPath('pipeline-health'),
  description:
    "denyscope's own pipeline: a rule failing tick after tick, a partition whose event time runs ahead of or far behind wall time. Operational, never a security page.",
  settings,
  evidence: pipelineHealthEvidence,
  evaluate,
};
