import { z } from 'zod';
import type { EvaluationContext, Finding } from '../finding.js';
import { subjectKeyOf } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { eventTimeIn, fromUnix, inList, windowOf, routeFilter } from '../sql.js';
import { severitySetting, windowMinutes, routesSetting } from './settings.js';

const settings = z.object({
  enabled: z.boolean().default(true),
  routes: routesSetting,
  severity: severitySetting('high'),
  windowMinutes: windowMinutes(15),
  /** Keys from the IP that each scan a little (catalog: ≥ 10 keys) … */
  minKeys: z.number().int().min(2).default(10),
  /** … where "a little" is at least this many distinct denied IDs per key … */
  minIdsPerKey: z.number().int().min(1).default(3),
  /** … and together many distinct IDs. */
  minDistinctIds: z.number().int().min(1).default(50),
});
type Settings = z.infer<typeof settings>;

interface PerIp {
  client_ip: string;
  keys: number;
  first_seen: number;
  last_seen: number;
}

interface IpDetails {
  client_ip: string;
  main_env: string;
  ids: number;
  denied: number;
  all_keys: number;
  accounts: number;
  key_ids: string[];
  patterns: string[];
  uas: string[];
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const window = windowOf(ctx.watermark, s.windowMinutes);
  const candidates = await ctx.query<PerIp>(`
    SELECT client_ip, count() AS keys, min(fs) AS first_seen, max(ls) AS last_seen
    FROM (
      SELECT client_ip, key_id, uniqExact(resource_id) AS ids,
        min(toUnixTimestamp(event_time)) AS fs, max(toUnixTimestamp(event_time)) AS ls
      FROM denials
      WHERE ${eventTimeIn(window)} AND ${routeFilter(s.routes)} AND client_ip != '' AND key_id != ''
      GROUP BY client_ip, key_id
      HAVING ids >= ${s.minIdsPerKey}
    )
    GROUP BY client_ip
    HAVING keys >= ${s.minKeys}`);
  if (candidates.length === 0) return [];

  const details = await ctx.query<IpDetails>(`
    SELECT client_ip, anyHeavy(env) AS main_env, uniqExact(resource_id) AS ids,
      uniqExact(request_id) AS denied, uniqExact(key_id) AS all_keys,
      uniqExact(account_id) AS accounts,
      arraySlice(groupUniqArray(key_id), 1, 20) AS key_ids,
      topK(5)(resource_pattern) AS patterns, topK(3)(user_agent) AS uas
    FROM denials
    WHERE ${eventTimeIn(window)} AND ${routeFilter(s.routes)} AND client_ip IN ${inList(candidates.map((c) => c.client_ip))}
    GROUP BY client_ip`);
  const byIp = new Map(details.map((d) => [d.client_ip, d]));

  const findings: Finding[] = [];
  for (const candidate of candidates) {
    const more = byIp.get(candidate.client_ip);
    if (more === undefined || Number(more.ids) < s.minDistinctIds) continue;
    const keys = Number(candidate.keys);
    findings.push({
      rule: 'distributed-enumeration',
      subjectKey: subjectKeyOf({ client_ip: candidate.client_ip }),
      subject: { client_ip: candidate.client_ip },
      env: more.main_env,
      severity: s.severity,
      window,
      firstSeen: fromUnix(candidate.first_seen),
      lastSeen: fromUnix(candidate.last_seen),
      summary:
        `${keys} keys from ${candidate.client_ip} were each denied on ${s.minIdsPerKey}+ distinct IDs ` +
        `(${Number(more.ids)} together) in ${s.windowMinutes} min: scanning spread across keys`,
      evidence: {
        window_minutes: s.windowMinutes,
        scanning_keys: keys,
        keys_from_ip: Number(more.all_keys),
        accounts: Number(more.accounts),
        distinct_ids: Number(more.ids),
        denials: Number(more.denied),
        key_ids: more.key_ids,
        patterns: more.patterns,
        user_agents: more.uas,
        first_seen: fromUnix(candidate.first_seen).toISOString(),
        last_seen: fromUnix(candidate.last_seen).toISOString(),
      },
    });
  }
  return findings;
}

export const distributedEnumeration: RuleDefinition<Settings> = {
  id: 'distributed-enumeration',
  description:
    'Many keys from one client IP each scan a few IDs: enumeration spread across keys to stay under per-key limits.',
  settings,
  evaluate,
};
