import type { RuleId, Severity } from '@denyscope/alerts';
import { subjectKeyOf, type Finding } from './finding.js';
import { fromUnix } from './sql.js';

/**
 * The columns every per-key query selects, so that its rows fit `KeyRow`. (Aliases differ from
 * the column names on purpose: on 18.16 an alias named like a column shadows it in WHERE.)
 */
export const KEY_ROW_COLUMNS = `key_id, any(account_id) AS account, anyHeavy(env) AS main_env,
  min(toUnixTimestamp(event_time)) AS first_seen, max(toUnixTimestamp(event_time)) AS last_seen`;

export interface KeyRow {
  key_id: string;
  account: string;
  main_env: string;
  first_seen: number;
  last_seen: number;
}

/**
 * A finding about a key: subject, env and event-time span from the row; the rest from the rule.
 * `Evidence` is the rule's evidence type: `details.evidence` is all of it but the span
 * (`first_seen`, `last_seen`), which this adds.
 */
export function keyFinding<Evidence extends { first_seen: string; last_seen: string }>(
  rule: RuleId,
  row: KeyRow,
  window: { start: Date; end: Date },
  details: {
    severity: Severity;
    summary: string;
    evidence: Omit<Evidence, 'first_seen' | 'last_seen'>;
  },
): Finding {
  const firstSeen = fromUnix(row.first_seen);
  const lastSeen = fromUnix(row.last_seen);
  return {
    rule,
    subjectKey: subjectKeyOf({ key_id: row.key_id }),
    subject: { key_id: row.key_id, account_id: row.account },
    env: row.main_env,
    window,
    firstSeen,
    lastSeen,
    severity: details.severity,
    summary: details.summary,
    evidence: {
      ...details.evidence,
      first_seen: firstSeen.toISOString(),
      last_seen: lastSeen.toISOString(),
    },
  };
}
