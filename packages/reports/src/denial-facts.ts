import { FOREIGN_SQL, GATEWAY_CLOCK_SKEW_MS } from '@denyscope/events';
import { quoteUInt, type SqlValues } from '@denyscope/clickhouse';

// The rows every cause is decided on: one account's denials in the period, each with what the
// platform knows about its ID from the account's own successful use (account_resources, migration
// 007; docs/reports.md, "Facts"):
//
// - known_id = 1: the account itself used the ID successfully (read, created, updated or deleted
//   it) at or before the minute of this denial. Denied now, the ID is a stale or deleted ID of the
//   account, never a guess. Another account's existing resource is never known
//   (owner_state = 2 with another owner is always foreign).
// - deleted_id = 1: known, and the account's last 2xx DELETE of the ID came at or before this
//   denial: a resource the account deleted itself.
//
// "Before this denial", not "before the period's end": an ID a key was denied on and that the
// account only created later was a guess when it was sent. That is why the facts come from a LEFT
// JOIN of each denial with its ID's first use rather than from `resource_id IN (known IDs)`: the
// right side holds one row per distinct denied ID the account used (first success, last delete),
// bounded by the IDs in question, and each denial is compared with its own time. The right side
// reads account_resources of the account only, for the IDs the account was denied on in the
// period, over all retained days up to the period's end (a resource deleted last month is still
// the account's own deleted resource today).
//
// Untrusted values (the account ID, key IDs) go through the query's SqlValues: query parameters
// where the server has them, quoted literals on 18.16 (bind.ts); numbers through quoteUInt.
// ClickHouse 18.16: an alias
// never reuses a column name (it would shadow the column inside other expressions of the SELECT):
// first_ok, deleted_ok, on_record, known_id, deleted_id are names no table has. Current
// ClickHouse requires an alias on each joined subquery (joined_subquery_requires_alias); 18.16
// accepts them.

export interface Scope {
  accountId: string;
  sinceSec: number;
  untilSec: number;
}

/** The account and period of a report: the first condition of every WHERE clause on its rows. */
export function scope(s: Scope, v: SqlValues, timeColumn = 'event_time'): string {
  return [
    `account_id = ${v.string(s.accountId)}`,
    `${timeColumn} >= toDateTime(${quoteUInt(s.sinceSec)})`,
    `${timeColumn} < toDateTime(${quoteUInt(s.untilSec)})`,
  ].join(' AND ');
}

/** A denial of another account's existing resource: FOREIGN_SQL, parenthesized for NOT and OR. */
export const FOREIGN = `(${FOREIGN_SQL})`;

/** SQL over denialsWithFacts rows: the denied ID was used successfully by the account before. */
export const KNOWN_TO_ACCOUNT = 'known_id = 1';

/** SQL over denialsWithFacts rows: the denied ID is one the account deleted itself before. */
export const DELETED_BY_ACCOUNT = 'deleted_id = 1';

/** The columns of `denials` the report reads. */
const COLUMNS = [
  'event_time',
  'request_id',
  'key_id',
  'account_id',
  'resource_id',
  'resource_pattern',
  'resource_env',
  'key_env',
  'resource_owner',
  'owner_state',
].join(', ');

/** Gateways' clocks disagree: a use this much after a denial still counts (GATEWAY_CLOCK_SKEW_MS). */
const SKEW_S = quoteUInt(GATEWAY_CLOCK_SKEW_MS / 1000);

/**
 * A FROM source: the account's denials in the period (scope applied) with the columns above plus
 * known_id and deleted_id (UInt8). With `keys`, only the denials of those keys (one chunk of the
 * account's keys, see keyParts in queries.ts); the facts do not depend on the key, so a chunk's
 * rows carry the same facts as in the whole.
 */
export function denialsWithFacts(s: Scope, v: SqlValues, keys?: readonly string[]): string {
  const untilDay = `toDate(toDateTime(${quoteUInt(s.untilSec)}))`;
  const ofKeys = keys === undefined ? '' : ` AND key_id IN ${v.strings(keys)}`;
  return `(
    SELECT ${COLUMNS},
      on_record = 1 AND first_ok <= event_time + ${SKEW_S} AND NOT ${FOREIGN} AS known_id,
      known_id AND deleted_ok > toDateTime(0) AND deleted_ok <= event_time + ${SKEW_S} AS deleted_id
    FROM (SELECT ${COLUMNS} FROM denials WHERE ${scope(s, v)}${ofKeys}) AS denied
    ANY LEFT JOIN (
      SELECT resource_id, 1 AS on_record,
        minMerge(first_seen) AS first_ok, maxIfMerge(deleted_at) AS deleted_ok
      FROM account_resources
      WHERE account_id = ${v.string(s.accountId)} AND day <= ${untilDay}
        AND resource_id IN (SELECT resource_id FROM denials WHERE ${scope(s, v)} AND resource_id != '')
      GROUP BY resource_id
    ) AS used USING resource_id
  )`;
}
