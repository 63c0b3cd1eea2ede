import { RULE_SUBJECT_KINDS, runbookPath } from '@denyscope/alerts';
import { FOREIGN_SQL } from '@denyscope/events';
import { quoteString, type SqlValues } from '@denyscope/clickhouse';
import { z } from 'zod';
import { atLeast, decision } from '../decision.js';
import { count, decisionEvidence, eventSpan, minutes, texts } from '../evidence.js';
import { guessShare, inProduction, knownToAccount, successfulIdsByKey } from '../facts.js';
import type { EvaluationContext, Finding } from '../finding.js';
import { subjectKeyOf } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { IN_LIST_MAX_BYTES, eventTimeIn, fromUnix, windowOf, routeFilter, select } from '../sql.js';
import { ruleBasics, severitySetting, windowMinutes } from './settings.js';

// A scan spread over many keys, and over many addresses of one network, so that no key and no
// address crosses a threshold of its own. The subject is the network (`client_net`, an IPv4 /24
// or IPv6 /64 computed by ingest; the address itself for rows without one). A key counts as
// scanning from the network when it guessed there (IDs its account never used) and guesses are
// most of the IDs it addressed; keys that are mostly successful — customers behind a shared NAT,
// CI or PaaS egress, whose few denials are their own deleted fixtures — do not make a network
// suspicious.

const settings = z
  .object({
    ...ruleBasics('high'),
    windowMinutes: windowMinutes(15),
    /** Keys scanning from one network (catalog: ≥ 10 keys) … */
    minKeys: z.number().int().min(2).default(10),
    /** … where a key scans when it guessed at least this many distinct IDs from the network … */
    minIdsPerKey: z.number().int().min(1).default(2),
    /** … and guesses are at least this share of the IDs the key addressed … */
    minGuessShare: z.number().min(0).max(1).default(0.5),
    /** … and together they guessed this many distinct IDs. */
    minDistinctIds: z.number().int().min(1).default(50),
    /** Outside production with no other tenant's existing resource addressed: not a page. */
    outsideProductionSeverity: severitySetting('info'),
    productionEnv: z.string().default('production'),
  })
  .strict();
type Settings = z.infer<typeof settings>;

/**
 * The evidence of a distributed-enumeration finding, as stored in alerts.evidence (JSON). Readers
 * parse it with this schema rather than guess at its shape: the reporter takes `key_ids` from it
 * (packages/reports/src/queries.ts, keysInDistributedIncidents) to flag an account's keys.
 * `key_ids` names keys of several accounts (up to 20): a reader keeps only what it may show.
 * Strict, as every rule's evidence schema: a reader picks the fields it reads and lets the others
 * pass (`.pick(…).loose()`), since stored evidence may carry more (trace IDs, later fields).
 */
export const distributedEnumerationEvidence = z.strictObject({
  ...decisionEvidence,
  window_minutes: minutes,
  /** The subject: an IPv4 /24 or IPv6 /64 as a CIDR, or the address for rows without one. */
  network: z.string(),
  addresses: count,
  /** The most frequent addresses of the network (up to 10). */
  client_ips: texts,
  scanning_keys: count,
  /** Scanning keys of the network (up to 20 of them; `scanning_keys` counts them all). */
  key_ids: texts,
  accounts: count,
  guessed_ids: count,
  /** Counts only: other accounts and their resources are never named in evidence. */
  foreign_ids: count,
  other_accounts: count,
  denials: count,
  envs: texts,
  patterns: texts,
  user_agents: texts,
  ...eventSpan,
});
export type DistributedEnumerationEvidence = z.infer<typeof distributedEnumerationEvidence>;

const NETWORK = "if(client_net != '', client_net, client_ip)";

interface KeyInNetwork {
  network: string;
  key_id: string;
  guessed: number;
}

interface NetworkFacts {
  network: string;
  main_env: string;
  guessed: number;
  foreign_ids: number;
  other_accounts: number;
  in_production: number;
  denied: number;
  accounts: number;
  addresses: number;
  envs: string[];
  ips: string[];
  key_ids: string[];
  patterns: string[];
  uas: string[];
  first_seen: number;
  last_seen: number;
}

/** Denials of the window with their network and whether the ID was known to the account. */
function denialsWithFacts(window: { start: Date; end: Date }, scope: string): string {
  return `(
    SELECT ${NETWORK} AS network, key_id, account_id, request_id, env, event_time, client_ip,
      resource_id, resource_owner, owner_state, resource_pattern, user_agent,
      ${knownToAccount(window.end, scope)} AS known
    FROM denials
    WHERE ${scope}
  )`;
}

const pairText = (network: string, key: string) => `(${quoteString(network)}, ${quoteString(key)})`;

/**
 * Networks with their scanning keys, in chunks whose pair list text stays within
 * IN_LIST_MAX_BYTES (a quarter of max_query_size). A network is never split; one whose pairs alone
 * pass the budget is a chunk of its own (about 1,200 keys of production-length IDs in one
 * network; max_query_size is reached only past 4,000).
 */
export function networkChunks(networks: [string, string[]][]): [string, string[]][][] {
  const chunks: [string, string[]][][] = [];
  let chunk: [string, string[]][] = [];
  let bytes = 0;
  for (const [network, keys] of networks) {
    const size = keys.reduce((sum, key) => sum + Buffer.byteLength(pairText(network, key)) + 2, 0);
    if (chunk.length > 0 && bytes + size > IN_LIST_MAX_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push([network, keys]);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** The networks with at least `minKeys` of the given keys, each with its keys. */
function networksOf(
  rows: readonly { network: string; key_id: string }[],
  minKeys: number,
): [string, string[]][] {
  const keysOf = new Map<string, string[]>();
  for (const row of rows) {
    const keys = keysOf.get(row.network);
    if (keys === undefined) keysOf.set(row.network, [row.key_id]);
    else keys.push(row.key_id);
  }
  return [...keysOf].filter(([, keys]) => keys.length >= minKeys);
}

const pairsOf = (networks: [string, string[]][]) =>
  networks.flatMap(([network, keys]) => keys.map((key): [string, string] => [network, key]));

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const window = windowOf(ctx.watermark, s.windowMinutes);
  const scope = (v: SqlValues) =>
    `${eventTimeIn(window)} AND ${routeFilter(v, s.routes)} AND client_ip != '' AND key_id != '' AND resource_id != ''`;

  // Keys denied on at least minIdsPerKey distinct IDs from a network with at least minKeys such
  // keys: raw denials, but no known-ID lookup. A key's guesses are at most these IDs.
  const addressed = await select<{ network: string; key_id: string; ids: number | string }>(
    ctx,
    (v) => `
    SELECT ${NETWORK} AS network, key_id, uniqExact(resource_id) AS ids
    FROM denials WHERE ${scope(v)}
    GROUP BY network, key_id HAVING ids >= ${s.minIdsPerKey}`,
  );
  const crowded = new Set(networksOf(addressed, s.minKeys).map(([network]) => network));
  if (crowded.size === 0) return [];

  // Keys that are mostly successful are customers, not scanners: they do not count. One whose
  // denied IDs would not reach the guess share even if every one were a guess is dropped before
  // the costly lookup below, and so is a network left with fewer than minKeys keys (neither could
  // fire: no finding changes).
  const inCrowded = addressed.filter((row) => crowded.has(row.network));
  const used = await successfulIdsByKey(ctx, window, [...new Set(inCrowded.map((r) => r.key_id))]);
  const possible = networksOf(
    inCrowded.filter(
      (row) => guessShare(Number(row.ids), used.get(row.key_id) ?? 0) >= s.minGuessShare,
    ),
    s.minKeys,
  );
  if (possible.length === 0) return [];

  // Their guesses (IDs their accounts never used), for those (network, key) pairs only.
  const perKey: KeyInNetwork[] = [];
  for (const chunk of networkChunks(possible)) {
    perKey.push(
      ...(await select<KeyInNetwork>(ctx, (v) => {
        const pairs = `(${NETWORK}, key_id) IN ${v.pairs(pairsOf(chunk))}`;
        return `
    SELECT network, key_id, uniqExactIf(resource_id, known = 0) AS guessed
    FROM ${denialsWithFacts(window, `${scope(v)} AND ${pairs}`)}
    GROUP BY network, key_id
    HAVING guessed >= ${s.minIdsPerKey}`;
      })),
    );
  }
  const networks = networksOf(
    perKey.filter(
      (row) => guessShare(Number(row.guessed), used.get(row.key_id) ?? 0) >= s.minGuessShare,
    ),
    s.minKeys,
  );
  if (networks.length === 0) return [];

  // Each network counting only its own scanning keys, as (network, key) pairs: in chunks of
  // networks, since 500 networks of 10 keys each make a list past max_query_size (the chaos
  // scenario address-flood found the rule failing on it for good). A network's pairs stay in one
  // chunk: its facts are one group.
  const rows: NetworkFacts[] = [];
  for (const chunk of networkChunks(networks)) {
    const pairs = pairsOf(chunk);
    rows.push(
      ...(await select<NetworkFacts>(
        ctx,
        (v) => `
    SELECT network, anyHeavy(env) AS main_env,
      uniqExactIf(resource_id, known = 0) AS guessed,
      uniqExactIf(resource_id, ${FOREIGN_SQL}) AS foreign_ids,
      uniqExactIf(resource_owner, ${FOREIGN_SQL}) AS other_accounts,
      countIf(${inProduction(v, s.productionEnv)}) AS in_production,
      uniqExact(request_id) AS denied, uniqExact(account_id) AS accounts,
      uniqExact(client_ip) AS addresses, groupUniqArray(env) AS envs,
      topK(10)(client_ip) AS ips, arraySlice(groupUniqArray(key_id), 1, 20) AS key_ids,
      topK(5)(resource_pattern) AS patterns, topK(3)(user_agent) AS uas,
      min(toUnixTimestamp(event_time)) AS first_seen, max(toUnixTimestamp(event_time)) AS last_seen
    FROM ${denialsWithFacts(window, scope(v))}
    WHERE (network, key_id) IN ${v.pairs(pairs)}
    GROUP BY network`,
      )),
    );
  }
  const byNetwork = new Map(rows.map((row) => [row.network, row]));

  const findings: Finding[] = [];
  for (const [network, keys] of networks) {
    const facts = byNetwork.get(network);
    if (facts === undefined) continue;
    const guessed = Number(facts.guessed);
    if (guessed < s.minDistinctIds) continue;
    const foreign = Number(facts.foreign_ids);
    const outsideProduction = Number(facts.in_production) === 0;
    const downgraded = outsideProduction && foreign === 0;
    const severity = downgraded ? s.outsideProductionSeverity : s.severity;
    const severityReason = downgraded
      ? `${s.outsideProductionSeverity}, not a page: only outside ${s.productionEnv} ` +
        `(${facts.envs.join(', ')}) and no other tenant's existing resource was addressed`
      : `a scan spread over ${keys.length} keys and ${Number(facts.addresses)} address(es) of one network`;
    const firstSeen = fromUnix(facts.first_seen);
    const lastSeen = fromUnix(facts.last_seen);
    findings.push({
      rule: 'distributed-enumeration',
      subjectKey: subjectKeyOf({ client_ip: network }),
      subject: { client_ip: network },
      env: facts.main_env,
      severity,
      window,
      firstSeen,
      lastSeen,
      summary:
        `${keys.length} keys from ${Number(facts.addresses)} address(es) of ${network} guessed ` +
        `${guessed} resource IDs their accounts never used in ${s.windowMinutes} min ` +
        `(${foreign} belonged to other accounts): scanning spread across keys`,
      evidence: {
        decision: decision(
          [
            atLeast(
              'scanning_keys',
              keys.length,
              s.minKeys,
              `with >= ${s.minIdsPerKey} guesses each`,
            ),
            atLeast('guessed_ids', guessed, s.minDistinctIds, `in ${s.windowMinutes} min`),
          ],
          severityReason,
        ),
        window_minutes: s.windowMinutes,
        network,
        addresses: Number(facts.addresses),
        client_ips: facts.ips,
        scanning_keys: keys.length,
        key_ids: facts.key_ids,
        accounts: Number(facts.accounts),
        guessed_ids: guessed,
        foreign_ids: foreign,
        other_accounts: Number(facts.other_accounts),
        denials: Number(facts.denied),
        envs: facts.envs,
        patterns: facts.patterns,
        user_agents: facts.uas,
        first_seen: firstSeen.toISOString(),
        last_seen: lastSeen.toISOString(),
      } satisfies DistributedEnumerationEvidence,
    });
  }
  return findings;
}

export const distributedEnumeration: RuleDefinition<Settings, 'distributed-enumeration'> = {
  id: 'distributed-enumeration',
  subject: RULE_SUBJECT_KINDS['distributed-enumeration'],
  runbook: runbookPath('distributed-enumeration'),
  description:
    'Many keys from one network (IPv4 /24, IPv6 /64) each guess a few IDs their accounts never used: enumeration spread across keys and addresses to stay under per-key limits.',
  settings,
  evidence: distributedEnumerationEvidence,
  evaluate,
};
