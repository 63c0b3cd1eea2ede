import { z } from 'zod';
import type { EvaluationContext, Finding } from '../finding.js';
import { subjectKeyOf } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { looksSequential } from '../sequential.js';
import {
  SHAREABLE_ID,
  eventTimeIn,
  fromUnix,
  inList,
  minuteIn,
  windowOf,
  routeFilter,
} from '../sql.js';
import { routesSetting, severitySetting, type RoutesSetting } from './settings.js';

const settings = z.object({
  enabled: z.boolean().default(true),
  routes: routesSetting,
  severity: severitySetting('high'),
  /** Several windows so both bursts and slow scans are caught (catalog: 50 in 5 min, 150 in 1 h). */
  windows: z
    .array(
      z.object({
        minutes: z.number().int().min(1).max(1440),
        minDistinctIds: z.number().int().min(2),
      }),
    )
    .min(1)
    .default([
      { minutes: 5, minDistinctIds: 50 },
      { minutes: 60, minDistinctIds: 150 },
    ]),
  minDenyRatio: z.number().min(0).max(1).default(0.5),
  sequential: z
    .object({
      minNumericIds: z.number().int().min(2).default(20),
      maxGap: z.number().int().min(1).default(2),
      minShare: z.number().min(0).max(1).default(0.8),
    })
    .default({ minNumericIds: 20, maxGap: 2, minShare: 0.8 }),
});
type Settings = z.infer<typeof settings>;

interface Candidate {
  key_id: string;
  account: string;
  main_env: string;
  ids: number;
  denied: number;
  missing: number;
  first_seen: number;
  last_seen: number;
}

interface Details {
  key_id: string;
  ids: number;
  denied: number;
  missing: number;
  first_seen: number;
  last_seen: number;
  other_accounts: number;
  nums: number[];
  samples: string[];
  patterns: string[];
  ips: string[];
  uas: string[];
}

async function candidates(
  ctx: EvaluationContext,
  window: { start: Date; end: Date },
  min: number,
  routes: RoutesSetting,
) {
  // The per-minute rollup has no route; a route restriction reads the raw denials instead.
  const restricted = routes.include.length > 0 || routes.exclude.length > 0;
  if (restricted) {
    return ctx.query<Candidate>(`
      SELECT key_id, any(account_id) AS account, anyHeavy(env) AS main_env,
        uniqExact(resource_id) AS ids, uniqExact(request_id) AS denied,
        uniqExactIf(resource_id, owner_state = 1) AS missing,
        min(toUnixTimestamp(event_time)) AS first_seen, max(toUnixTimestamp(event_time)) AS last_seen
      FROM denials
      WHERE ${eventTimeIn(window)} AND ${routeFilter(routes)} AND key_id != ''
      GROUP BY key_id
      HAVING ids >= ${min}`);
  }
  return ctx.query<Candidate>(`
    SELECT key_id, any(account_id) AS account, anyHeavy(env) AS main_env,
      uniqExactMerge(distinct_ids) AS ids, uniqExactMerge(denials) AS denied,
      uniqExactIfMerge(missing_ids) AS missing,
      toUnixTimestamp(minMerge(first_seen)) AS first_seen,
      toUnixTimestamp(maxMerge(last_seen)) AS last_seen
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
  const rows = await ctx.query<{ key_id: string; requests: number }>(`
    SELECT key_id, sum(requests) AS requests FROM request_totals FINAL
    WHERE ${minuteIn(window)} AND key_id IN ${inList(keys)}
    GROUP BY key_id`);
  return new Map(rows.map((row) => [row.key_id, Number(row.requests)]));
}

async function details(
  ctx: EvaluationContext,
  window: { start: Date; end: Date },
  keys: string[],
  routes: RoutesSetting,
) {
  // Counted again on the raw rows, exactly in the window: the rollup's minute buckets reach past
  // the watermark (and before the window's start), so it only pre-selects candidates. Deciding
  // on these exact counts keeps the threshold and the evidence (e.g. whether the IDs are
  // sequential) on the same events, so an incident opens once, at its final severity.
  const rows = await ctx.query<Details>(`
    SELECT key_id,
      uniqExact(resource_id) AS ids, uniqExact(request_id) AS denied,
      uniqExactIf(resource_id, owner_state = 1) AS missing,
      min(toUnixTimestamp(event_time)) AS first_seen, max(toUnixTimestamp(event_time)) AS last_seen,
      uniqExactIf(resource_owner, owner_state = 2 AND resource_owner != account_id) AS other_accounts,
      arraySlice(arraySort(groupUniqArrayIf(resource_num, has_num = 1)), 1, 10000) AS nums,
      arraySlice(groupUniqArrayIf(resource_id, ${SHAREABLE_ID}), 1, 5) AS samples,
      topK(5)(resource_pattern) AS patterns,
      topK(5)(client_ip) AS ips,
      topK(3)(user_agent) AS uas
    FROM denials
    WHERE ${eventTimeIn(window)} AND ${routeFilter(routes)} AND key_id IN ${inList(keys)}
    GROUP BY key_id`);
  return new Map(rows.map((row) => [row.key_id, row]));
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const found = new Map<string, Finding>();
  // Shortest window first: a burst is reported with its own, tighter window.
  for (const { minutes, minDistinctIds } of [...s.windows].sort((a, b) => a.minutes - b.minutes)) {
    const window = windowOf(ctx.watermark, minutes);
    const hits = (await candidates(ctx, window, minDistinctIds, s.routes)).filter(
      (c) => !found.has(c.key_id),
    );
    if (hits.length === 0) continue;
    const keys = hits.map((c) => c.key_id);
    const [requests, extra] = await Promise.all([
      requestsByKey(ctx, window, keys),
      details(ctx, window, keys, s.routes),
    ]);
    for (const candidate of hits) {
      const exact = extra.get(candidate.key_id);
      if (exact === undefined || Number(exact.ids) < minDistinctIds) continue;
      const hit = { ...candidate, ...exact };
      const denied = Number(hit.denied);
      const total = Math.max(requests.get(hit.key_id) ?? denied, denied);
      const denyRatio = denied / total;
      if (denyRatio < s.minDenyRatio) continue;
      const sequential = looksSequential(exact.nums.map(Number), s.sequential);
      const ids = Number(hit.ids);
      const subject = { key_id: hit.key_id, account_id: hit.account };
      found.set(hit.key_id, {
        rule: 'id-enumeration',
        subjectKey: subjectKeyOf({ key_id: hit.key_id }),
        subject,
        env: hit.main_env,
        severity: sequential ? 'critical' : s.severity,
        window,
        firstSeen: fromUnix(hit.first_seen),
        lastSeen: fromUnix(hit.last_seen),
        summary:
          `key ${hit.key_id} was denied on ${ids} distinct resource IDs in ${minutes} min ` +
          `(${Math.round(denyRatio * 100)}% of its requests denied${sequential ? ', IDs sequential' : ''})`,
        evidence: {
          window_minutes: minutes,
          distinct_ids: ids,
          denials: denied,
          requests: total,
          deny_ratio: Number(denyRatio.toFixed(3)),
          sequential,
          missing_share: Number((Number(hit.missing) / ids).toFixed(3)),
          other_accounts: Number(exact.other_accounts),
          patterns: exact.patterns,
          sample_ids: exact.samples,
          client_ips: exact.ips,
          user_agents: exact.uas,
          first_seen: fromUnix(hit.first_seen).toISOString(),
          last_seen: fromUnix(hit.last_seen).toISOString(),
        },
      });
    }
  }
  return [...found.values()];
}

export const idEnumeration: RuleDefinition<Settings> = {
  id: 'id-enumeration',
  description:
    'A key is denied on many distinct resource IDs in a window and most of its requests are denied: ID scanning (BOLA/IDOR enumeration).',
  settings,
  evaluate,
};
