import { RULE_SUBJECT_KINDS, runbookPath } from '@denyscope/alerts';
import { FOREIGN_SQL } from '@denyscope/events';
import { z } from 'zod';
import { atLeast, decision } from '../decision.js';
import { count, decisionEvidence, eventSpan, minutes, share, texts } from '../evidence.js';
import type { EvaluationContext, Finding } from '../finding.js';
import { KEY_ROW_COLUMNS, keyFinding, type KeyRow } from '../key-finding.js';
import type { RuleDefinition } from '../rule.js';
import { eventTimeIn, inList, queryByChunks, windowOf, routeFilter, select } from '../sql.js';
import { ruleBasics, windowMinutes } from './settings.js';

const settings = z
  .object({
    ...ruleBasics('high'),
    windowMinutes: windowMinutes(15),
    minForeignIds: z.number().int().min(1).default(10),
    /** Critical when this share of the foreign resources belongs to one victim account. */
    concentrationShare: z.number().min(0).max(1).default(0.8),
  })
  .strict();
type Settings = z.infer<typeof settings>;

/**
 * The evidence of a cross-tenant finding (alerts.evidence). Counts only: the other accounts and
 * their resources are never named.
 */
export const crossTenantEvidence = z.strictObject({
  ...decisionEvidence,
  window_minutes: minutes,
  foreign_resources: count,
  other_accounts: count,
  /** The largest victim's share of the foreign resources: critical at `concentrationShare`. */
  top_account_share: share,
  denials: count,
  patterns: texts,
  client_ips: texts,
  ...eventSpan,
});
type CrossTenantEvidence = z.infer<typeof crossTenantEvidence>;

interface Row extends KeyRow {
  foreign_ids: number;
  victims: number;
  denied: number;
  patterns: string[];
  ips: string[];
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const window = windowOf(ctx.watermark, s.windowMinutes);
  const rows = await select<Row>(
    ctx,
    (v) => `
    SELECT ${KEY_ROW_COLUMNS},
      uniqExact(resource_id) AS foreign_ids, uniqExact(resource_owner) AS victims,
      uniqExact(request_id) AS denied,
      topK(5)(resource_pattern) AS patterns, topK(5)(client_ip) AS ips
    FROM denials
    WHERE ${eventTimeIn(window)} AND ${routeFilter(v, s.routes)} AND key_id != '' AND ${FOREIGN_SQL}
    GROUP BY key_id
    HAVING foreign_ids >= ${s.minForeignIds}`,
  );
  if (rows.length === 0) return [];

  // The largest victim's share, per key; the victim's identity stays in ClickHouse.
  const shares = await queryByChunks(
    rows.map((r) => r.key_id),
    (keys) =>
      select<{ key_id: string; top: number }>(
        ctx,
        (v) => `
        SELECT key_id, max(n) AS top FROM (
          SELECT key_id, resource_owner, uniqExact(resource_id) AS n
          FROM denials
          WHERE ${eventTimeIn(window)} AND ${routeFilter(v, s.routes)} AND ${FOREIGN_SQL} AND key_id IN ${inList(v, keys)}
          GROUP BY key_id, resource_owner
        ) GROUP BY key_id`,
      ),
  );
  const topByKey = new Map(shares.map((row) => [row.key_id, Number(row.top)]));

  return rows.map((row) => {
    const foreignIds = Number(row.foreign_ids);
    const topShare = (topByKey.get(row.key_id) ?? 0) / foreignIds;
    const concentrated = topShare >= s.concentrationShare;
    return keyFinding<CrossTenantEvidence>('cross-tenant', row, window, {
      severity: concentrated ? 'critical' : s.severity,
      summary:
        `key ${row.key_id} addressed ${foreignIds} existing resources of ${Number(row.victims)} other account(s) ` +
        `in ${s.windowMinutes} min${concentrated ? ', concentrated on one account' : ''}`,
      evidence: {
        decision: decision(
          [atLeast('foreign_resources', foreignIds, s.minForeignIds, `in ${s.windowMinutes} min`)],
          concentrated
            ? `critical: ${Math.round(topShare * 100)}% of the resources belong to one account (>= ${s.concentrationShare})`
            : `existing resources of ${Number(row.victims)} other account(s), in any environment`,
        ),
        window_minutes: s.windowMinutes,
        foreign_resources: foreignIds,
        other_accounts: Number(row.victims),
        top_account_share: Number(topShare.toFixed(3)),
        denials: Number(row.denied),
        patterns: row.patterns,
        client_ips: row.ips,
      },
    });
  });
}

export const crossTenant: RuleDefinition<Settings, 'cross-tenant'> = {
  id: 'cross-tenant',
  subject: RULE_SUBJECT_KINDS['cross-tenant'],
  runbook: runbookPath('cross-tenant'),
  description:
    'A key addresses many distinct existing resources owned by other accounts: a key paired with the wrong account, or probing another tenant.',
  settings,
  evidence: crossTenantEvidence,
  evaluate,
};
