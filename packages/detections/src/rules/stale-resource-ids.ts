import { z } from 'zod';
import type { EvaluationContext, Finding } from '../finding.js';
import { KEY_ROW_COLUMNS, keyFinding, type KeyRow } from '../key-finding.js';
import type { RuleDefinition } from '../rule.js';
import { SHAREABLE_ID, eventTimeIn, windowOf, routeFilter } from '../sql.js';
import { severitySetting, windowMinutes, routesSetting } from './settings.js';

const settings = z.object({
  enabled: z.boolean().default(true),
  routes: routesSetting,
  /** Info: for customer reports; the notifier never pages on info. */
  severity: severitySetting('info'),
  windowMinutes: windowMinutes(60),
  maxDistinctIds: z.number().int().min(1).default(3),
  minDenials: z.number().int().min(1).default(20),
  minSpanMinutes: z.number().int().min(1).default(30),
  /** Share of the IDs not known to exist (deleted, or owner unknown). */
  minMissingShare: z.number().min(0).max(1).default(0.5),
});
type Settings = z.infer<typeof settings>;

interface Row extends KeyRow {
  ids: number;
  denied: number;
  not_existing: number;
  samples: string[];
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const window = windowOf(ctx.watermark, s.windowMinutes);
  const rows = await ctx.query<Row>(`
    SELECT ${KEY_ROW_COLUMNS},
      uniqExact(resource_id) AS ids, uniqExact(request_id) AS denied,
      uniqExactIf(resource_id, owner_state != 2) AS not_existing,
      arraySlice(groupUniqArrayIf(resource_id, ${SHAREABLE_ID}), 1, 3) AS samples
    FROM denials
    WHERE ${eventTimeIn(window)} AND ${routeFilter(s.routes)} AND key_id != ''
    GROUP BY key_id
    HAVING ids <= ${s.maxDistinctIds} AND denied >= ${s.minDenials}
      AND last_seen - first_seen >= ${s.minSpanMinutes * 60}`);
  return rows
    .filter((row) => Number(row.not_existing) / Number(row.ids) >= s.minMissingShare)
    .map((row) => {
      const span = Math.round((row.last_seen - row.first_seen) / 60);
      return keyFinding('stale-resource-ids', row, window, {
        severity: s.severity,
        summary:
          `key ${row.key_id} keeps asking for ${Number(row.ids)} ID(s) that are denied ` +
          `(${Number(row.denied)} times over ${span} min): stale or deleted IDs`,
        evidence: {
          window_minutes: s.windowMinutes,
          distinct_ids: Number(row.ids),
          denials: Number(row.denied),
          not_existing: Number(row.not_existing),
          sample_ids: row.samples,
          span_minutes: span,
        },
      });
    });
}

export const staleResourceIds: RuleDefinition<Settings> = {
  id: 'stale-resource-ids',
  description:
    'Denials concentrated on a few IDs that persist: a client with hard-coded or deleted IDs. For reports; never pages.',
  settings,
  evaluate,
};
