import { RULE_SUBJECT_KINDS, runbookPath } from '@denyscope/alerts';
import { FOREIGN_SQL, NO_SUCH_RESOURCE_SQL } from '@denyscope/events';
import { z } from 'zod';
import { atLeast, decision } from '../decision.js';
import { count, decisionEvidence, eventSpan, minutes, share, texts } from '../evidence.js';
import { guessShare, inProduction, knownToAccount, successfulIdsByKey } from '../facts.js';
import type { EvaluationContext, Finding } from '../finding.js';
import { subjectKeyOf } from '../finding.js';
import { dropOthersIds } from '../shareable-samples.js';
import type { RuleDefinition } from '../rule.js';
import { looksSequential } from '../sequential.js';
import {
  SHAREABLE_ID,
  eventTimeIn,
  fromUnix,
  inList,
  minuteIn,
  queryByChunks,
  windowOf,
  routeFilter,
  select,
} from '../sql.js';
import { type RoutesSetting, ruleBasics, severitySetting } from './settings.js';

// A scan is judged by the IDs the key addressed, not by how many requests were denied
// (docs/rules.md, id-enumeration): how many distinct IDs it was denied on that its account never
// used (guesses: IDs that did not exist, or other tenants'), and what share of all the IDs it
// addressed those guesses are, next to the IDs it used successfully. Retrying one ID adds one
// ID; padding every guess with successful reads of a few own IDs adds a few.

const settings = z
  .object({
    ...ruleBasics('high'),
    /**
     * Several windows so both bursts and slow scans are caught. The catalog suggests 50 in 5 min
     * and 150 in 1 h of denied IDs; these count guesses only (the account's own stale IDs left
     * out), so the slow window asks for fewer: 100 in 1 h.
     */
    windows: z
      .array(
        z
          .object({
            minutes: z.number().int().min(1).max(1440),
            minDistinctIds: z.number().int().min(2),
          })
          .strict(),
      )
      .min(1)
      .default([
        { minutes: 5, minDistinctIds: 50 },
        { minutes: 60, minDistinctIds: 100 },
      ]),
    /** Share of the key's addressed IDs that must be guesses (the rest: IDs it used successfully). */
    minGuessShare: z.number().min(0).max(1).default(0.5),
    /**
     * Severity of a scan that stayed outside production and addressed no other tenant's existing
     * resource (a load test, a sandbox integration with invented IDs): for the customer's report.
     */
    outsideProductionSeverity: severitySetting('info'),
    productionEnv: z.string().default('production'),
    sequential: z
      .object({
        minNumericIds: z.number().int().min(2).default(20),
        maxGap: z.number().int().min(1).default(2),
        minShare: z.number().min(0).max(1).default(0.8),
      })
      .strict()
      .default({ minNumericIds: 20, maxGap: 2, minShare: 0.8 }),
    /**
     * A walk through an ID range is evidence by itself: guesses that are sequential fire on fewer
     * distinct IDs than random ones, over this window (a slow walk padded to stay under the
     * counts of `windows`). Random guesses never fire here.
     */
    sequentialWindow: z
      .object({
        minutes: z.number().int().min(1).max(1440),
        minDistinctIds: z.number().int().min(2),
      })
      .strict()
      .default({ minutes: 60, minDistinctIds: 30 }),
  })
  .strict();
type Settings = z.infer<typeof settings>;

/**
 * The evidence of an id-enumeration finding (alerts.evidence). Other accounts appear as counts
 * only; `sample_ids` are guesses no stored row shows as another account's (shareable-samples.ts).
 */
export const idEnumerationEvidence = z.strictObject({
  ...decisionEvidence,
  window_minutes: minutes,
  /** Distinct denied IDs the key's account never used. */
  guessed_ids: count,
  /** guessed / (guessed + used successfully). */
  guess_share: share,
  successful_ids: count,
  distinct_ids: count,
  known_ids: count,
  missing_ids: count,
  foreign_ids: count,
  other_accounts: count,
  /** The guessed numeric IDs walk a range (critical). */
  sequential: z.boolean(),
  denials: count,
  requests: count,
  deny_ratio: share,
  envs: texts,
  patterns: texts,
  sample_ids: texts,
  client_ips: texts,
  user_agents: texts,
  ...eventSpan,
});
type IdEnumerationEvidence = z.infer<typeof idEnumerationEvidence>;

interface Candidate {
  key_id: string;
  account: string;
  main_env: string;
  /**
   * Distinct denied IDs of the key, at least those of the window (the rollup's minute buckets
   * reach past it): never fewer than its guesses.
   */
  ids: number | string;
}

interface Facts {
  key_id: string;
  ids: number;
  denied: number;
  guessed: number;
  known_ids: number;
  missing: number;
  foreign_ids: number;
  other_accounts: number;
  in_production: number;
  envs: string[];
  first_seen: number;
  last_seen: number;
  nums: number[];
  samples: string[];
  patterns: string[];
  ips: string[];
  uas: string[];
}

/** Keys denied on at least `min` distinct IDs: a cheap pre-selection (guesses are a subset). */
async function candidates(
  ctx: EvaluationContext,
  window: { start: Date; end: Date },
  min: number,
  routes: RoutesSetting,
) {
  // The per-minute rollup has no route; a route restriction reads the raw denials instead.
  const restricted = routes.include.length > 0 || routes.exclude.length > 0;
  if (restricted) {
    return select<Candidate>(
      ctx,
      (v) => `
      SELECT key_id, any(account_id) AS account, anyHeavy(env) AS main_env,
        uniqExact(resource_id) AS ids
      FROM denials
      WHERE ${eventTimeIn(window)} AND ${routeFilter(v, routes)} AND key_id != '' AND resource_id != ''
      GROUP BY key_id
      HAVING ids >= ${min}`,
    );
  }
  return ctx.query<Candidate>(`
    SELECT key_id, any(account_id) AS account, anyHeavy(env) AS main_env,
      uniqExactMerge(distinct_ids) AS ids
    FROM denials_per_minute
    WHERE ${minuteIn(window)} AND key_id != ''
    GROUP BY key_id
    HAVING ids >= ${min}`);
}

async function requestsByKey(
  ctx: EvaluationContext,
  window: { start: Date; end: Date },
  keys: string[],
) {
  const rows = await queryByChunks(keys, (chunk) =>
    select<{ key_id: string; requests: number }>(
      ctx,
      (v) => `
      SELECT key_id, sum(requests) AS requests FROM request_totals FINAL
      WHERE ${minuteIn(window)} AND key_id IN ${inList(v, chunk)}
      GROUP BY key_id`,
    ),
  );
  return new Map(rows.map((row) => [row.key_id, Number(row.requests)]));
}

/**
 * The facts of each key's denials, counted on the raw rows exactly in the window (the rollup's
 * minute buckets reach past it), so the threshold and the evidence (whether the guesses are
 * sequential) come from the same events and an incident opens once, at its final severity.
 */
async function factsOf(
  ctx: EvaluationContext,
  window: { start: Date; end: Date },
  keys: string[],
  s: Settings,
) {
  const rows = await queryByChunks(keys, (chunk) => factsOfChunk(ctx, window, chunk, s));
  return new Map(rows.map((row) => [row.key_id, row]));
}

async function factsOfChunk(
  ctx: EvaluationContext,
  window: { start: Date; end: Date },
  keys: readonly string[],
  s: Settings,
): Promise<Facts[]> {
  // The list is in the query twice (knownToAccount's subquery and the WHERE): IN_LIST_MAX_BYTES
  // leaves room for that under max_query_size. As a query parameter it is sent once.
  return select<Facts>(ctx, (v) => {
    const scope = `${eventTimeIn(window)} AND ${routeFilter(v, s.routes)} AND key_id IN ${inList(v, keys)} AND resource_id != ''`;
    return `
    SELECT key_id,
      uniqExact(resource_id) AS ids, uniqExact(request_id) AS denied,
      uniqExactIf(resource_id, known = 0) AS guessed,
      uniqExactIf(resource_id, known = 1) AS known_ids,
      uniqExactIf(resource_id, known = 0 AND ${NO_SUCH_RESOURCE_SQL}) AS missing,
      uniqExactIf(resource_id, ${FOREIGN_SQL}) AS foreign_ids,
      uniqExactIf(resource_owner, ${FOREIGN_SQL}) AS other_accounts,
      countIf(${inProduction(v, s.productionEnv)}) AS in_production,
      groupUniqArray(env) AS envs,
      min(toUnixTimestamp(event_time)) AS first_seen, max(toUnixTimestamp(event_time)) AS last_seen,
      arraySlice(arraySort(groupUniqArrayIf(resource_num, has_num = 1 AND known = 0)), 1, 10000) AS nums,
      arraySlice(groupUniqArrayIf(resource_id, known = 0 AND ${SHAREABLE_ID}), 1, 5) AS samples,
      topK(5)(resource_pattern) AS patterns,
      topK(5)(client_ip) AS ips,
      topK(3)(user_agent) AS uas
    FROM (
      SELECT key_id, request_id, env, event_time, account_id, resource_id, resource_owner,
        owner_state, resource_num, has_num, resource_pattern, client_ip, user_agent,
        ${knownToAccount(window.end, scope)} AS known
      FROM denials
      WHERE ${scope}
    )
    GROUP BY key_id`;
  });
}

function judge(
  candidate: Candidate,
  facts: Facts,
  used: number,
  requests: number | undefined,
  window: WindowCheck,
  s: Settings,
): Finding | undefined {
  const guessed = Number(facts.guessed);
  const share = guessShare(guessed, used);
  if (guessed < window.minDistinctIds || share < s.minGuessShare) return undefined;
  const foreign = Number(facts.foreign_ids);
  const sequential = looksSequential(facts.nums.map(Number), s.sequential);
  if (window.onlySequential && !sequential) return undefined;
  const outsideProduction = Number(facts.in_production) === 0;
  let severity = s.severity;
  let severityReason = `a scan: guesses are ${Math.round(share * 100)}% of the IDs the key addressed`;
  if (outsideProduction && foreign === 0) {
    severity = s.outsideProductionSeverity;
    severityReason =
      `${s.outsideProductionSeverity}, not a page: only outside ${s.productionEnv} ` +
      `(${facts.envs.join(', ')}) and no other tenant's existing resource was addressed`;
  } else if (sequential) {
    severity = 'critical';
    severityReason = 'critical: the guessed numeric IDs are sequential (walking an ID range)';
  }
  const denied = Number(facts.denied);
  const total = Math.max(requests ?? denied, denied);
  const missing = Number(facts.missing);
  const minutes = window.minutes;
  const firstSeen = fromUnix(facts.first_seen);
  const lastSeen = fromUnix(facts.last_seen);
  return {
    rule: 'id-enumeration',
    subjectKey: subjectKeyOf({ key_id: candidate.key_id }),
    subject: { key_id: candidate.key_id, account_id: candidate.account },
    env: candidate.main_env,
    severity,
    window: { start: window.start, end: window.end },
    firstSeen,
    lastSeen,
    summary:
      `key ${candidate.key_id} was denied on ${guessed} resource IDs its account never used in ${minutes} min ` +
      `(${missing} did not exist, ${foreign} belonged to other accounts; ` +
      `${Math.round(share * 100)}% of the IDs it addressed${sequential ? ', sequential' : ''})`,
    evidence: {
      decision: decision(
        [
          atLeast(
            'guessed_ids',
            guessed,
            window.minDistinctIds,
            `in ${minutes} min${window.onlySequential ? ', sequential' : ''}`,
          ),
          atLeast('guess_share', Number(share.toFixed(3)), s.minGuessShare),
        ],
        severityReason,
      ),
      window_minutes: minutes,
      guessed_ids: guessed,
      guess_share: Number(share.toFixed(3)),
      successful_ids: used,
      distinct_ids: Number(facts.ids),
      known_ids: Number(facts.known_ids),
      missing_ids: missing,
      foreign_ids: foreign,
      other_accounts: Number(facts.other_accounts),
      sequential,
      denials: denied,
      requests: total,
      deny_ratio: Number((denied / total).toFixed(3)),
      envs: facts.envs,
      patterns: facts.patterns,
      sample_ids: facts.samples,
      client_ips: facts.ips,
      user_agents: facts.uas,
      first_seen: firstSeen.toISOString(),
      last_seen: lastSeen.toISOString(),
    } satisfies IdEnumerationEvidence,
  };
}

/** A window and the distinct guesses that fire in it (only sequential ones, for sequentialWindow). */
interface WindowCheck {
  start: Date;
  end: Date;
  minutes: number;
  minDistinctIds: number;
  onlySequential: boolean;
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const found = new Map<string, Finding>();
  // Shortest window first: a burst is reported with its own, tighter window. The sequential
  // window last: a key that crossed a count is reported by that count.
  const checks = [
    ...[...s.windows]
      .sort((a, b) => a.minutes - b.minutes)
      .map((w) => ({ ...w, onlySequential: false })),
    { ...s.sequentialWindow, onlySequential: true },
  ];
  for (const { minutes, minDistinctIds, onlySequential } of checks) {
    const window = windowOf(ctx.watermark, minutes);
    const hits = (await candidates(ctx, window, minDistinctIds, s.routes)).filter(
      (c) => !found.has(c.key_id),
    );
    if (hits.length === 0) continue;
    const used = await successfulIdsByKey(
      ctx,
      window,
      hits.map((c) => c.key_id),
    );
    // A key's guesses are at most its denied IDs, so a key whose denied IDs would not reach the
    // guess share even if every one were a guess cannot fire: a busy integration with scattered
    // misses. Dropping it here spares the raw-row facts, the costliest query of the rule, and
    // changes no finding.
    const possible = hits.filter(
      (c) => guessShare(Number(c.ids), used.get(c.key_id) ?? 0) >= s.minGuessShare,
    );
    if (possible.length === 0) continue;
    const keys = possible.map((c) => c.key_id);
    const [requests, facts] = await Promise.all([
      requestsByKey(ctx, window, keys),
      factsOf(ctx, window, keys, s),
    ]);
    for (const candidate of possible) {
      const keyFacts = facts.get(candidate.key_id);
      if (keyFacts === undefined) continue;
      const finding = judge(
        candidate,
        keyFacts,
        used.get(candidate.key_id) ?? 0,
        requests.get(candidate.key_id),
        { ...window, minutes, minDistinctIds, onlySequential },
        s,
      );
      if (finding !== undefined) found.set(candidate.key_id, finding);
    }
  }
  const widest = Math.max(...checks.map((check) => check.minutes));
  return dropOthersIds(ctx, windowOf(ctx.watermark, widest), [...found.values()]);
}

export const idEnumeration: RuleDefinition<Settings, 'id-enumeration'> = {
  id: 'id-enumeration',
  subject: RULE_SUBJECT_KINDS['id-enumeration'],
  runbook: runbookPath('id-enumeration'),
  description:
    'A key is denied on many distinct resource IDs its account never used (IDs that do not exist or belong to other tenants), and those guesses are most of the IDs it addresses: ID scanning (BOLA/IDOR enumeration).',
  settings,
  evidence: idEnumerationEvidence,
  evaluate,
};
