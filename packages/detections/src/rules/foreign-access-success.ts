import { RULE_SUBJECT_KINDS, runbookPath } from '@denyscope/alerts';
import { FOREIGN_SQL } from '@denyscope/events';
import { z } from 'zod';
import { atLeast, decision } from '../decision.js';
import { count, decisionEvidence, eventSpan, minutes, texts } from '../evidence.js';
import type { EvaluationContext, Finding } from '../finding.js';
import { KEY_ROW_COLUMNS, keyFinding, type KeyRow } from '../key-finding.js';
import type { RuleDefinition } from '../rule.js';
import { eventTimeIn, windowOf, routeFilter, select } from '../sql.js';
import { ruleBasics, windowMinutes } from './settings.js';

const settings = z
  .object({
    ...ruleBasics('critical'),
    windowMinutes: windowMinutes(15),
  })
  .strict();
type Settings = z.infer<typeof settings>;

/** The evidence of a foreign-access-success finding (alerts.evidence): counts of the victims only. */
export const foreignAccessSuccessEvidence = z.strictObject({
  ...decisionEvidence,
  window_minutes: minutes,
  successes: count,
  resources: count,
  other_accounts: count,
  /** The 2xx statuses returned. */
  statuses: z.array(z.int().min(200).max(299)),
  routes: texts,
  methods: texts,
  ...eventSpan,
});
type ForeignAccessSuccessEvidence = z.infer<typeof foreignAccessSuccessEvidence>;

interface Row extends KeyRow {
  successes: number;
  resources: number;
  owners: number;
  statuses: number[];
  routes: string[];
  methods: string[];
}

async function evaluate(ctx: EvaluationContext, s: Settings): Promise<Finding[]> {
  const window = windowOf(ctx.watermark, s.windowMinutes);
  const rows = await select<Row>(
    ctx,
    (v) => `
    SELECT ${KEY_ROW_COLUMNS},
      uniqExact(request_id) AS successes, uniqExact(resource_id) AS resources,
      uniqExact(resource_owner) AS owners, groupUniqArray(status) AS statuses,
      topK(5)(route) AS routes, topK(3)(method) AS methods
    FROM foreign_access
    WHERE ${eventTimeIn(window)} AND ${routeFilter(v, s.routes)} AND status >= 200 AND status < 300
      AND ${FOREIGN_SQL}
    GROUP BY key_id`,
  );
  return rows.map((row) =>
    keyFinding<ForeignAccessSuccessEvidence>('foreign-access-success', row, window, {
      severity: s.severity,
      summary:
        `key ${row.key_id || '(none)'} got ${Number(row.successes)} successful response(s) on ` +
        `${Number(row.resources)} resource(s) of another account: the authorization check failed`,
      evidence: {
        decision: decision(
          [atLeast('successes', Number(row.successes), 1, `2xx on another account's resource`)],
          `${s.severity}: the platform's authorization check itself failed`,
        ),
        window_minutes: s.windowMinutes,
        successes: Number(row.successes),
        resources: Number(row.resources),
        other_accounts: Number(row.owners),
        statuses: row.statuses.map(Number),
        routes: row.routes,
        methods: row.methods,
      },
    }),
  );
}

export const foreignAccessSuccess: RuleDefinition<Settings, 'foreign-access-success'> = {
  id: 'foreign-access-success',
  subject: RULE_SUBJECT_KINDS['foreign-access-success'],
  runbook: runbookPath('foreign-access-success'),
  description:
    "A 2xx on a resource owned by another account than the key's: the platform's authorization check itself failed.",
  settings,
  evidence: foreignAccessSuccessEvidence,
  evaluate,
};
