import { FOREIGN_SQL } from '@denyscope/events';
import { RULE_SUBJECT_KINDS, isAtLeast, runbookPath, type Severity } from '@denyscope/alerts';
import { z } from 'zod';
import { atLeast, decision } from '../decision.js';
import { count, decisionEvidence, eventSpan, minutes, texts } from '../evidence.js';
import type { EvaluationContext, Finding } from '../finding.js';
import { subjectKeyOf } from '../finding.js';
import { dropOthersIds } from '../shareable-samples.js';
import type { RuleDefinition } from '../rule.js';
import { SHAREABLE_ID, eventTimeIn, fromUnix, windowOf, routeFilter, select } from '../sql.js';
import { ruleBasics, severitySetting, windowMinutes } from './settings.js';

const settings = z
  .object({
    /** severity: Lower-environment IDs or keys used in production: configuration copied upwards. */
    ...ruleBasics('medium'),
    /** Production IDs or keys used in a lower environment: production data leaked downwards. */
    productionInLowerEnvSeverity: severitySetting('high'),
    /**
     * IDs or keys of one lower environment used in another (staging IDs in sandbox): no production
     * data or configuration involved, so information for the customer's report, not a page.
     */
    betweenLowerEnvsSeverity: severitySetting('info'),
    windowMinutes: windowMinutes(15),
    minRequests: z.number().int().min(1).default(3),
    productionEnv: z.string().default('production'),
  })
  .strict();
type Settings = z.infer<typeof settings>;

/** The evidence of a cross-environment finding (alerts.evidence). */
export const crossEnvironmentEvidence = z.strictObject({
  ...decisionEvidence,
  window_minutes: minutes,
  requests: count,
  /** The environment the events were served in. */
  seen_in: z.string(),
  /** The environments the IDs (resource_env) or the key (key_env) belong to. */
  belongs_to: texts,
  by_key_marker: count,
  by_resource_env: count,
  distinct_ids: count,
  patterns: texts,
  /** Only IDs no stored row shows as another account's (shareable-samples.ts). */
  sample_ids: texts,
  ...eventSpan,
});
type CrossEnvironmentEvidence = z.infer<typeof crossEnvironmentEvidence>;

interface Row {
  key_id: string;
  account: string;
  env: string;
  requests: number;
  foreign_envs: string[];
  by_key: number;
  by_id: number;
  ids: number;
  samples: string[];
  patterns: string[];
  first_seen: number;
  last_seen: number;
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const window = windowOf(ctx.watermark, s.windowMinutes);
  // Another tenant's resource in another environment is a scanner's or prober's hit (the
  // enumeration and cross-tenant rules), not the key's own configuration or data copied across
  // environments: only IDs that are not another account's count here.
  const idElsewhere = `resource_env != '' AND resource_env != env AND NOT (${FOREIGN_SQL})`;
  const keyElsewhere = "key_env != '' AND key_env != env";
  const rows = await select<Row>(
    ctx,
    (v) => `
    SELECT key_id, any(account_id) AS account, env,
      uniqExact(request_id) AS requests,
      groupUniqArray(if(${idElsewhere}, resource_env, key_env)) AS foreign_envs,
      uniqExactIf(request_id, ${keyElsewhere}) AS by_key,
      uniqExactIf(request_id, ${idElsewhere}) AS by_id,
      uniqExact(resource_id) AS ids,
      arraySlice(groupUniqArrayIf(resource_id, ${SHAREABLE_ID}), 1, 5) AS samples,
      topK(5)(resource_pattern) AS patterns,
      min(toUnixTimestamp(event_time)) AS first_seen, max(toUnixTimestamp(event_time)) AS last_seen
    FROM denials
    WHERE ${eventTimeIn(window)} AND ${routeFilter(v, s.routes)} AND key_id != '' AND ((${idElsewhere}) OR (${keyElsewhere}))
    GROUP BY key_id, env
    HAVING requests >= ${s.minRequests}`,
  );

  // A key seen misusing IDs in two environments is one incident, at the worse severity.
  const byKey = new Map<string, Finding>();
  for (const row of rows) {
    const production = s.productionEnv;
    const flow =
      row.env === production ? 'up' : row.foreign_envs.includes(production) ? 'down' : 'sideways';
    const severity: Severity = {
      up: s.severity,
      down: s.productionInLowerEnvSeverity,
      sideways: s.betweenLowerEnvsSeverity,
    }[flow];
    const previous = byKey.get(row.key_id);
    if (previous && isAtLeast(previous.severity, severity)) continue;
    const direction = `${row.foreign_envs.join('/')} ${Number(row.by_key) > 0 ? 'key or IDs' : 'IDs'} in ${row.env}`;
    byKey.set(row.key_id, {
      rule: 'cross-environment',
      subjectKey: subjectKeyOf({ key_id: row.key_id }),
      subject: { key_id: row.key_id, account_id: row.account },
      env: row.env,
      severity,
      window,
      firstSeen: fromUnix(row.first_seen),
      lastSeen: fromUnix(row.last_seen),
      summary: `key ${row.key_id} used ${direction}: ${Number(row.requests)} denied requests in ${s.windowMinutes} min`,
      evidence: {
        decision: decision(
          [atLeast('requests', Number(row.requests), s.minRequests, `in ${s.windowMinutes} min`)],
          {
            up: `${severity}: ${row.foreign_envs.join('/')} IDs or keys used in ${production} (configuration copied upwards)`,
            down: `${severity}: ${production} IDs or keys used in ${row.env} (production data leaked downwards)`,
            sideways: `${severity}, not a page: only lower environments involved (${row.foreign_envs.join('/')} in ${row.env})`,
          }[flow],
        ),
        window_minutes: s.windowMinutes,
        requests: Number(row.requests),
        seen_in: row.env,
        belongs_to: row.foreign_envs,
        by_key_marker: Number(row.by_key),
        by_resource_env: Number(row.by_id),
        distinct_ids: Number(row.ids),
        patterns: row.patterns,
        sample_ids: row.samples,
        first_seen: fromUnix(row.first_seen).toISOString(),
        last_seen: fromUnix(row.last_seen).toISOString(),
      } satisfies CrossEnvironmentEvidence,
    });
  }
  return dropOthersIds(ctx, window, [...byKey.values()]);
}

export const crossEnvironment: RuleDefinition<Settings, 'cross-environment'> = {
  id: 'cross-environment',
  subject: RULE_SUBJECT_KINDS['cross-environment'],
  runbook: runbookPath('cross-environment'),
  description:
    'A key addresses IDs of another environment (by resource_env or ID marker), or is itself marked for another environment, repeatedly.',
  settings,
  evidence: crossEnvironmentEvidence,
  evaluate,
};
