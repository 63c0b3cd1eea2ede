import { RULE_SUBJECT_KINDS, runbookPath } from '@denyscope/alerts';
import { NOT_OWNED_SQL } from '@denyscope/events';
import { z } from 'zod';
import { atLeast, decision, type Crossed } from '../decision.js';
import { count, decisionEvidence, eventSpan, minutes, texts } from '../evidence.js';
import { knownToAccount } from '../facts.js';
import type { EvaluationContext, Finding } from '../finding.js';
import { KEY_ROW_COLUMNS, keyFinding, type KeyRow } from '../key-finding.js';
import type { RuleDefinition } from '../rule.js';
import { dropOthersIds } from '../shareable-samples.js';
import { SHAREABLE_ID, eventTimeIn, windowOf, routeFilter, select } from '../sql.js';
import { ruleBasics, windowMinutes } from './settings.js';

// A client asking for IDs that no longer exist: a few hard-coded IDs polled for hours, or a job
// reading back resources its own account deleted (the 2xx DELETE is in the log: migration 007's
// account_resources). Information for the customer's report; it never pages.

const settings = z
  .object({
    /** severity: Info: for customer reports; the notifier never pages on info. */
    ...ruleBasics('info'),
    windowMinutes: windowMinutes(60),
    /** Few IDs polled for long: at most this many distinct IDs … */
    maxDistinctIds: z.number().int().min(1).default(3),
    /** … denied at least this often … */
    minDenials: z.number().int().min(1).default(20),
    /** … over at least this long. */
    minSpanMinutes: z.number().int().min(1).default(30),
    /** Share of the IDs not known to exist (deleted, or owner unknown). */
    minMissingShare: z.number().min(0).max(1).default(0.5),
    /** Or in bulk: at least this many distinct denied IDs that the key's own account used before … */
    minKnownIds: z.number().int().min(1).default(10),
    /** … making up at least this share of the key's denied IDs. */
    minKnownShare: z.number().min(0).max(1).default(0.5),
  })
  .strict();
type Settings = z.infer<typeof settings>;

/** The evidence of a stale-resource-ids finding (alerts.evidence). */
export const staleResourceIdsEvidence = z.strictObject({
  ...decisionEvidence,
  window_minutes: minutes,
  distinct_ids: count,
  denials: count,
  /** Distinct IDs not known to exist (deleted, or owner unknown). */
  not_existing: count,
  /** Distinct IDs the key's own account used before. */
  known_ids: count,
  /** Only IDs no stored row shows as another account's (shareable-samples.ts). */
  sample_ids: texts,
  span_minutes: count,
  ...eventSpan,
});
type StaleResourceIdsEvidence = z.infer<typeof staleResourceIdsEvidence>;

interface Row extends KeyRow {
  ids: number;
  denied: number;
  not_existing: number;
  known_ids: number;
  samples: string[];
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const window = windowOf(ctx.watermark, s.windowMinutes);
  const rows = await select<Row>(ctx, (v) => {
    const scope = `${eventTimeIn(window)} AND ${routeFilter(v, s.routes)} AND key_id != ''`;
    return `
    SELECT ${KEY_ROW_COLUMNS},
      uniqExact(resource_id) AS ids, uniqExact(request_id) AS denied,
      uniqExactIf(resource_id, ${NOT_OWNED_SQL}) AS not_existing,
      uniqExactIf(resource_id, known = 1) AS known_ids,
      arraySlice(groupUniqArrayIf(resource_id, ${SHAREABLE_ID}), 1, 3) AS samples
    FROM (
      SELECT key_id, account_id, env, event_time, request_id, resource_id, resource_owner,
        owner_state, ${knownToAccount(window.end, scope)} AS known
      FROM denials WHERE ${scope}
    )
    GROUP BY key_id
    HAVING (ids <= ${s.maxDistinctIds} AND denied >= ${s.minDenials}
        AND last_seen - first_seen >= ${s.minSpanMinutes * 60})
      OR known_ids >= ${s.minKnownIds}`;
  });
  const findings: Finding[] = [];
  for (const row of rows) {
    const ids = Number(row.ids);
    const known = Number(row.known_ids);
    const span = Math.round((row.last_seen - row.first_seen) / 60);
    const polled =
      ids <= s.maxDistinctIds &&
      Number(row.denied) >= s.minDenials &&
      span >= s.minSpanMinutes &&
      Number(row.not_existing) / ids >= s.minMissingShare;
    const bulk = known >= s.minKnownIds && known / ids >= s.minKnownShare;
    if (!polled && !bulk) continue;
    const crossed: Crossed[] = bulk
      ? [
          atLeast('known_ids', known, s.minKnownIds, `in ${s.windowMinutes} min`),
          atLeast('known_share', Number((known / ids).toFixed(3)), s.minKnownShare),
        ]
      : [
          atLeast('denials', Number(row.denied), s.minDenials, `on <= ${s.maxDistinctIds} IDs`),
          atLeast('span_minutes', span, s.minSpanMinutes),
        ];
    findings.push(
      keyFinding<StaleResourceIdsEvidence>('stale-resource-ids', row, window, {
        severity: s.severity,
        summary: bulk
          ? `key ${row.key_id} was denied on ${known} IDs its own account used or deleted before ` +
            `(${Number(row.denied)} denials in ${s.windowMinutes} min): stale or deleted IDs`
          : `key ${row.key_id} keeps asking for ${ids} ID(s) that are denied ` +
            `(${Number(row.denied)} times over ${span} min): stale or deleted IDs`,
        evidence: {
          decision: decision(
            crossed,
            `${s.severity}: the customer's own stale or deleted IDs, for its report; never a page`,
          ),
          window_minutes: s.windowMinutes,
          distinct_ids: ids,
          denials: Number(row.denied),
          not_existing: Number(row.not_existing),
          known_ids: known,
          sample_ids: row.samples,
          span_minutes: span,
        },
      }),
    );
  }
  return dropOthersIds(ctx, window, findings);
}

export const staleResourceIds: RuleDefinition<Settings, 'stale-resource-ids'> = {
  id: 'stale-resource-ids',
  subject: RULE_SUBJECT_KINDS['stale-resource-ids'],
  runbook: runbookPath('stale-resource-ids'),
  description:
    "Denials on IDs that no longer exist: a few IDs polled for long, or many IDs the key's own account used or deleted before. For reports; never pages.",
  settings,
  evidence: staleResourceIdsEvidence,
  evaluate,
};
