import { quoteUInt, type SqlValues } from '@denyscope/clickhouse';
import { FOREIGN_SQL, GATEWAY_CLOCK_SKEW_MS } from '@denyscope/events';
import { dateTime, inList, minuteIn, queryByChunks, select } from './sql.js';
import type { EvaluationContext } from './finding.js';

// The platform's own facts that tell a guess from an ordinary miss (docs/rules.md, "Facts"):
//
// - an ID the key's own account used successfully before (read, created, updated or deleted it:
//   the account_resources rollup of key_resources, migration 007) is *known* to that account.
//   Denied now, it is a stale or deleted ID, not a guess;
// - what the key itself used successfully in the window (distinct IDs in key_resources): a scan
//   is mostly guesses, however many repeated successful reads of a few IDs pad it, and a busy
//   integration is mostly successes, however many of its IDs were deleted meanwhile.
//
// Another tenant's existing resource is never "known": addressing one is never stale.

/**
 * 1 when the row's (account_id, resource_id) was used successfully by that account by `end` (give
 * or take the gateways' clock skew, GATEWAY_CLOCK_SKEW_MS) and the resource is not another
 * account's, else 0: for the denials selected by `scope` (a WHERE condition on denials), which
 * bounds the lookup to the pairs in question.
 */
export function knownToAccount(end: Date, scope: string): string {
  return `((account_id, resource_id) IN (
      SELECT account_id, resource_id FROM account_resources
      WHERE (account_id, resource_id) IN (SELECT account_id, resource_id FROM denials WHERE ${scope})
      GROUP BY account_id, resource_id
      HAVING minMerge(first_seen) <= ${dateTime(end)} + ${quoteUInt(GATEWAY_CLOCK_SKEW_MS / 1000)}
    ) AND NOT (${FOREIGN_SQL}))`;
}

/** Per key: distinct resource IDs it used successfully in the window (minute buckets). */
export async function successfulIdsByKey(
  ctx: EvaluationContext,
  window: { start: Date; end: Date },
  keys: readonly string[],
): Promise<Map<string, number>> {
  const rows = await queryByChunks(keys, (chunk) =>
    select<{ key_id: string; used: number }>(
      ctx,
      (v) => `
      SELECT key_id, uniqExact(resource_id) AS used FROM key_resources
      WHERE ${minuteIn(window)} AND key_id IN ${inList(v, chunk)}
      GROUP BY key_id`,
    ),
  );
  return new Map(rows.map((row) => [row.key_id, Number(row.used)]));
}

/**
 * The share of a key's addressed IDs that were guesses: guessed / (guessed + used successfully).
 * Repeated reads of the same few IDs add nothing to either side.
 */
export function guessShare(guessed: number, used: number): number {
  return guessed + used === 0 ? 0 : guessed / (guessed + used);
}

/** SQL: 1 for a denial served in the production environment. */
export function inProduction(v: SqlValues, productionEnv: string): string {
  return `env = ${v.string(productionEnv)}`;
}
