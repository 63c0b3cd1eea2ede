/**
 * What an event says about the owner of the resource it addressed, as stored in the `owner_state`
 * column (UInt8) of denials and foreign_access, and the SQL conditions every query spells with it.
 *
 * The v1 field `resource_owner` has three states: absent (the gateway did not say), null (no such
 * resource), a string (the owning account). Rows keep them apart in owner_state; `resource_owner`
 * holds the owner only when owner_state is OWNED ('' otherwise).
 *
 * The one source of these spellings: detections, reports and the migrations interpolate the
 * fragments below; Grafana dashboards and runbooks repeat FOREIGN_SQL as text, and
 * packages/events/test/foreign-sql-in-docs.test.ts fails until they spell it exactly like this.
 * Changing a fragment used by a migration changes that migration's DDL (the snapshot test in
 * packages/clickhouse/src/migrations/ddl.test.ts) and needs a new migration, not an edit.
 */

/** `resource_owner` absent: the gateway did not say who owns the resource. */
export const OWNER_UNKNOWN = 0;
/** `resource_owner: null`: the resource does not exist. */
export const NO_SUCH_RESOURCE = 1;
/** `resource_owner: "<account>"`: the resource exists and that account owns it. */
export const OWNED = 2;

export type OwnerState = typeof OWNER_UNKNOWN | typeof NO_SUCH_RESOURCE | typeof OWNED;

/** The owner_state of an event's `resourceOwner` (undefined when the field was absent). */
export function ownerStateOf(owner: string | null | undefined): OwnerState {
  if (owner === undefined) return OWNER_UNKNOWN;
  return owner === null ? NO_SUCH_RESOURCE : OWNED;
}

/** SQL: the addressed resource exists and has an owner (any account). */
export const OWNED_SQL = `owner_state = ${OWNED}`;

/** SQL: the addressed resource does not exist. */
export const NO_SUCH_RESOURCE_SQL = `owner_state = ${NO_SUCH_RESOURCE}`;

/** SQL: the addressed resource is not known to exist (no such resource, or owner unknown). */
export const NOT_OWNED_SQL = `owner_state != ${OWNED}`;

/**
 * SQL: a row about another account's existing resource (owned, and not by the row's account).
 * Unparenthesized: wrap it (`NOT (${FOREIGN_SQL})`) where it meets OR or NOT.
 */
export const FOREIGN_SQL = `${OWNED_SQL} AND resource_owner != account_id`;
