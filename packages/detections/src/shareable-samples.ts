import { OWNED_SQL } from '@denyscope/events';
import { inList, dateTime, queryByChunks, select } from './sql.js';
import type { EvaluationContext, Finding } from './finding.js';

/** How far back a stored row can show that an ID is another account's. */
const LOOKBACK_S = 86_400;

/**
 * Removes from each finding's `evidence.sample_ids` every ID that a stored row of the last day
 * shows as another account's resource — a denial or a 2xx on it with another owner, or another
 * account's successful use of it — not only the rows the sample was taken from. Sample IDs are
 * shown to on-call and copied into customer conversations; an ID once seen as someone else's
 * resource must never be among them (docs/contracts.md, alert contract: only counts of others).
 */
export async function dropOthersIds(
  ctx: EvaluationContext,
  window: { start: Date; end: Date },
  findings: Finding[],
): Promise<Finding[]> {
  const ids = new Set<string>();
  for (const finding of findings) {
    for (const id of samplesOf(finding)) ids.add(id);
  }
  if (ids.size === 0) return findings;
  const from = dateTime(new Date(window.start.getTime() - LOOKBACK_S * 1000));
  const to = dateTime(window.end);
  // As many IDs as findings times samples: in chunks, or a flood of findings would exceed
  // max_query_size (sql.ts). The list is in the query three times; the chunk size allows for it
  // (as a query parameter, it is sent once).
  const rows = await queryByChunks([...ids], (chunk) =>
    select<{ resource_id: string; owners: string[] }>(ctx, (v) => {
      const list = inList(v, chunk);
      return `
      SELECT resource_id, groupUniqArray(owner) AS owners FROM (
        SELECT resource_id, resource_owner AS owner FROM denials
        WHERE ${OWNED_SQL} AND event_time > ${from} AND event_time <= ${to} AND resource_id IN ${list}
        UNION ALL
        SELECT resource_id, resource_owner AS owner FROM foreign_access
        WHERE ${OWNED_SQL} AND event_time > ${from} AND event_time <= ${to} AND resource_id IN ${list}
        UNION ALL
        SELECT resource_id, account_id AS owner FROM account_resources
        WHERE day >= toDate(${from}) AND day <= toDate(${to}) AND resource_id IN ${list}
      )
      GROUP BY resource_id`;
    }),
  );
  const owners = new Map(rows.map((row) => [row.resource_id, row.owners]));
  for (const finding of findings) {
    const account = finding.subject.account_id ?? '';
    const samples = samplesOf(finding);
    if (samples.length === 0) continue;
    finding.evidence.sample_ids = samples.filter((id) =>
      (owners.get(id) ?? []).every((owner) => owner === account),
    );
  }
  return findings;
}

function samplesOf(finding: Finding): string[] {
  const samples = finding.evidence.sample_ids;
  return Array.isArray(samples) ? samples.filter((id): id is string => typeof id === 'string') : [];
}
