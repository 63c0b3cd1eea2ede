import {
  inListChunks,
  quoteUInt,
  sqlValues,
  type ClickHouseClient,
  type SqlCapabilities,
  type SqlValues,
} from '@denyscope/clickhouse';
import { distributedEnumerationEvidence } from '@denyscope/detections';
import { NO_SUCH_RESOURCE_SQL } from '@denyscope/events';
import { causeSql, CAUSES, type Cause, type FlaggedKeys } from './causes.js';
import {
  DELETED_BY_ACCOUNT,
  FOREIGN,
  KNOWN_TO_ACCOUNT,
  denialsWithFacts,
  scope,
  type Scope,
} from './denial-facts.js';

// Every query of a report reads rows of one account only: `scope()` is the first condition of each
// WHERE clause, and denialsWithFacts() applies it to the denials it joins with the account's own
// facts. Aliases never reuse a column name (on 18.16 an alias shadows the column inside other
// aggregates of the same SELECT). The account ID and key IDs go through each query's SqlValues
// (query parameters where the server has them, quoted literals on 18.16).

export type { Scope };

/** Where a report's rows come from: the client, and what its server can do (sqlValues). */
export interface ReportSource {
  client: ClickHouseClient;
  caps: SqlCapabilities;
}

/** Runs the query `build` writes, with the untrusted values it put in `v`. */
async function select<T>(src: ReportSource, build: (v: SqlValues) => string): Promise<T[]> {
  const v = sqlValues(src.caps);
  const query = build(v);
  const result = await src.client.query({ query, query_params: v.params, format: 'JSONEachRow' });
  return result.json<T>();
}

/**
 * The rows one cause query reads: the account's denials of `keys` (all of them when absent), and
 * the flagged keys among those keys, which causeSql lists.
 */
export interface KeyPart {
  keys?: readonly string[];
  flagged: FlaggedKeys;
}

/**
 * How the cause queries split the account's keys. causeSql lists the flagged keys, and an account
 * can have any number of keys (issue 11: one list of them all exceeded max_query_size on 18.16, and
 * as one query parameter it would exceed the server's URL and field limits). So when the keys do
 * not fit one IN list (inListChunks: IN_LIST_MAX_BYTES), each query runs once per chunk of the
 * account's keys, reading only that chunk's denials and listing only its flagged keys: a query
 * then holds at most two lists within the bound (the chunk, and its flagged keys, as scanning and
 * test-traffic keys are disjoint). Every figure grouped by key is exact per chunk; the per-day and
 * per-pattern denials add up, as a request has one key; the distinct deleted IDs per cause do not
 * (two keys can ask for the same ID), and deletedIdsByCause unions them instead.
 *
 * Flagged keys without a denial in the period are dropped: they have no rows to classify.
 */
export function keyParts(accountKeys: readonly string[], flagged: FlaggedKeys): KeyPart[] {
  const chunks = inListChunks(accountKeys);
  const within = (keys: ReadonlySet<string>) => (key: string) => keys.has(key);
  const flaggedIn = (keys: ReadonlySet<string>): FlaggedKeys => ({
    scanning: flagged.scanning.filter(within(keys)),
    testTraffic: flagged.testTraffic.filter(within(keys)),
  });
  if (chunks.length <= 1) return [{ flagged: flaggedIn(new Set(accountKeys)) }];
  return chunks.map((chunk) => ({ keys: chunk, flagged: flaggedIn(new Set(chunk)) }));
}

/** Runs `query` once per part, one after the other, and concatenates the rows. */
async function byParts<T>(
  parts: readonly KeyPart[],
  query: (part: KeyPart) => Promise<T[]>,
): Promise<T[]> {
  const rows: T[] = [];
  for (const part of parts) rows.push(...(await query(part)));
  return rows;
}

/** ClickHouse returns 64-bit integers as strings in JSON. */
const num = (value: unknown): number => Number(value);

function asCause(value: string): Cause {
  return (CAUSES as readonly string[]).includes(value) ? (value as Cause) : 'unexplained';
}

export interface ScanThresholds {
  /** Distinct guessed IDs (never used by the account before) of a key within one UTC hour... */
  minIdsPerHour: number;
  /** ...of which at least this share do not exist: the key is a scanner. */
  minMissingShare: number;
}

export const DEFAULT_SCAN_THRESHOLDS: ScanThresholds = { minIdsPerHour: 150, minMissingShare: 0.8 };

/**
 * Keys named by enumeration incidents overlapping the period, by what the incidents say: `serious`
 * when at least one of the key's incidents was above `info` at some state change (an escalated
 * incident counts at its highest severity), `infoOnly` when every one stayed `info` (enumeration
 * outside production that touched no other tenant: a load test, a test suite).
 */
export interface IncidentKeys {
  serious: string[];
  infoOnly: string[];
}

function splitBySeverity(rows: Iterable<[key: string, serious: boolean]>): IncidentKeys {
  const seriousKeys = new Set<string>();
  const seen = new Set<string>();
  for (const [key, serious] of rows) {
    seen.add(key);
    if (serious) seriousKeys.add(key);
  }
  return {
    serious: [...seriousKeys].sort(),
    infoOnly: [...seen].filter((key) => !seriousKeys.has(key)).sort(),
  };
}

const overlapsPeriod = (s: Scope): string =>
  `last_seen >= toDateTime(${quoteUInt(s.sinceSec)}) AND first_seen < toDateTime(${quoteUInt(s.untilSec)})`;

/** Keys of the account that are the subject of an id-enumeration incident overlapping the period. */
export async function keysWithEnumerationIncident(
  src: ReportSource,
  s: Scope,
): Promise<IncidentKeys> {
  const found = await select<{ kid: string; serious: string }>(
    src,
    (v) => `SELECT key_id AS kid, countIf(severity != 'info') AS serious FROM alerts FINAL
     WHERE account_id = ${v.string(s.accountId)} AND rule = 'id-enumeration' AND key_id != ''
       AND ${overlapsPeriod(s)}
     GROUP BY kid`,
  );
  return splitBySeverity(found.map((row) => [row.kid, num(row.serious) > 0]));
}

/**
 * What the reporter reads of a distributed-enumeration alert's evidence: the rule's schema, its
 * `key_ids` only, other keys let through (the schema is strict; stored evidence may carry more).
 */
const listedKeys = distributedEnumerationEvidence.pick({ key_ids: true }).loose();

/**
 * Keys listed in a distributed-enumeration incident (subject: a client IP or network, keys in the
 * evidence) that overlaps the period. The evidence names keys of several accounts; only the
 * account's own keys are kept, and nothing else of it leaves this function.
 */
export async function keysInDistributedIncidents(
  src: ReportSource,
  s: Scope,
  accountKeys: ReadonlySet<string>,
): Promise<IncidentKeys> {
  const found = await select<{ evidence: string; severity: string }>(
    src,
    () => `SELECT evidence, severity FROM alerts FINAL
     WHERE rule = 'distributed-enumeration' AND ${overlapsPeriod(s)}`,
  );
  const listed: [string, boolean][] = [];
  for (const row of found) {
    let evidence: unknown;
    try {
      evidence = JSON.parse(row.evidence);
    } catch {
      continue;
    }
    // Evidence that does not have the rule's key_ids (not JSON, no list, not strings) names no key.
    const parsed = listedKeys.safeParse(evidence);
    if (!parsed.success) continue;
    for (const key of parsed.data.key_ids) {
      if (accountKeys.has(key)) listed.push([key, row.severity !== 'info']);
    }
  }
  return splitBySeverity(listed);
}

/**
 * Keys that, in some UTC hour of the period, were denied on many distinct *guessed* IDs, mostly
 * missing. A guessed ID is one the account never used successfully before the denial (not
 * KNOWN_TO_ACCOUNT): a migration walking the account's own bulk-deleted invoices guesses nothing.
 */
export async function keysScanningByShape(
  src: ReportSource,
  s: Scope,
  thresholds: ScanThresholds,
): Promise<string[]> {
  const share = Math.round(thresholds.minMissingShare * 1000);
  const guess = `NOT (${KNOWN_TO_ACCOUNT})`;
  const found = await select<{ kid: string }>(
    src,
    (v) => `SELECT kid FROM (
       SELECT key_id AS kid, toStartOfHour(event_time) AS hour,
              uniqExactIf(resource_id, ${guess}) AS guessed,
              uniqExactIf(resource_id, ${guess} AND ${NO_SUCH_RESOURCE_SQL}) AS guessed_missing
       FROM ${denialsWithFacts(s, v)} WHERE resource_id != ''
       GROUP BY kid, hour
     )
     WHERE guessed >= ${quoteUInt(thresholds.minIdsPerHour)}
       AND guessed_missing * 1000 >= guessed * ${quoteUInt(share)}
     GROUP BY kid`,
  );
  return found.map((row) => row.kid).sort();
}

export async function accountKeys(src: ReportSource, s: Scope): Promise<string[]> {
  const found = await select<{ kid: string }>(
    src,
    (v) => `SELECT DISTINCT key_id AS kid FROM denials WHERE ${scope(s, v)} ORDER BY kid`,
  );
  return found.map((row) => row.kid);
}

export interface KeyCauseRow {
  keyId: string;
  cause: Cause;
  denials: number;
  distinctIds: number;
  otherAccountResources: number;
  otherAccounts: number;
  /** Distinct IDs the account had deleted itself before the denial. */
  deletedIds: number;
  firstSec: number;
  lastSec: number;
}

export async function denialsByKeyAndCause(
  src: ReportSource,
  s: Scope,
  parts: readonly KeyPart[],
): Promise<KeyCauseRow[]> {
  const found = await byParts(parts, (part) =>
    select<Record<string, string>>(
      src,
      (v) => `SELECT key_id AS kid, ${causeSql(part.flagged, v)} AS cause_id,
            uniqExact(request_id) AS n, uniqExact(resource_id) AS ids,
            uniqExactIf(resource_id, ${FOREIGN}) AS foreign_ids,
            uniqExactIf(resource_owner, ${FOREIGN}) AS foreign_owners,
            uniqExactIf(resource_id, ${DELETED_BY_ACCOUNT}) AS deleted_n,
            toUInt32(min(event_time)) AS first_s, toUInt32(max(event_time)) AS last_s
     FROM ${denialsWithFacts(s, v, part.keys)}
     GROUP BY kid, cause_id`,
    ),
  );
  return found.map((row) => ({
    keyId: row.kid ?? '',
    cause: asCause(row.cause_id ?? ''),
    denials: num(row.n),
    distinctIds: num(row.ids),
    otherAccountResources: num(row.foreign_ids),
    otherAccounts: num(row.foreign_owners),
    deletedIds: num(row.deleted_n),
    firstSec: num(row.first_s),
    lastSec: num(row.last_s),
  }));
}

export interface CauseCountRow {
  group: string;
  cause: Cause;
  denials: number;
}

/** Denials per UTC day number (days since 1970-01-01) and cause. */
export function denialsByDayAndCause(
  src: ReportSource,
  s: Scope,
  parts: readonly KeyPart[],
): Promise<CauseCountRow[]> {
  return denialsByGroupAndCause(src, s, parts, 'toString(intDiv(toUInt32(event_time), 86400))');
}

export function denialsByPatternAndCause(
  src: ReportSource,
  s: Scope,
  parts: readonly KeyPart[],
): Promise<CauseCountRow[]> {
  return denialsByGroupAndCause(src, s, parts, 'resource_pattern');
}

/** Denials per value of `groupSql` (a trusted SQL expression, never input) and cause. */
async function denialsByGroupAndCause(
  src: ReportSource,
  s: Scope,
  parts: readonly KeyPart[],
  groupSql: string,
): Promise<CauseCountRow[]> {
  const found = await byParts(parts, (part) =>
    select<Record<string, string>>(
      src,
      (v) => `SELECT ${groupSql} AS group_value, ${causeSql(part.flagged, v)} AS cause_id,
            uniqExact(request_id) AS n
     FROM ${denialsWithFacts(s, v, part.keys)}
     GROUP BY group_value, cause_id`,
    ),
  );
  return found.map((row) => ({
    group: row.group_value ?? '',
    cause: asCause(row.cause_id ?? ''),
    denials: num(row.n),
  }));
}

/**
 * Per cause: distinct IDs the account had deleted itself before they were denied. Two keys can
 * ask for the same ID, so counts of key chunks do not add up: with more than one part, each
 * returns its distinct deleted IDs per cause and they are counted here (as many as the account
 * deleted and was then denied on; one part, the common case, returns the count alone).
 */
export async function deletedIdsByCause(
  src: ReportSource,
  s: Scope,
  parts: readonly KeyPart[],
): Promise<Map<Cause, number>> {
  const [only] = parts;
  if (parts.length === 1 && only !== undefined) {
    const found = await select<{ cause_id: string; deleted_n: string }>(
      src,
      (v) => `SELECT ${causeSql(only.flagged, v)} AS cause_id,
              uniqExactIf(resource_id, ${DELETED_BY_ACCOUNT}) AS deleted_n
       FROM ${denialsWithFacts(s, v, only.keys)}
       GROUP BY cause_id`,
    );
    return new Map(found.map((row) => [asCause(row.cause_id), num(row.deleted_n)]));
  }
  const ids = new Map<Cause, Set<string>>();
  const found = await byParts(parts, (part) =>
    select<{ cause_id: string; deleted: string[] }>(
      src,
      (v) => `SELECT ${causeSql(part.flagged, v)} AS cause_id,
              groupUniqArrayIf(resource_id, ${DELETED_BY_ACCOUNT}) AS deleted
       FROM ${denialsWithFacts(s, v, part.keys)}
       GROUP BY cause_id`,
    ),
  );
  for (const row of found) {
    const cause = asCause(row.cause_id);
    const seen = ids.get(cause) ?? new Set<string>();
    for (const id of row.deleted) seen.add(id);
    ids.set(cause, seen);
  }
  return new Map([...ids].map(([cause, seen]) => [cause, seen.size]));
}

/**
 * Up to `perGroup` of the most denied resource IDs per key and cause that the customer may see:
 * IDs that do not exist, whose owner is unknown, or that are the account's own. An ID the account
 * was ever denied on as another account's resource is left out, whatever other rows say about it.
 */
export async function sampleIds(
  src: ReportSource,
  s: Scope,
  parts: readonly KeyPart[],
  perGroup = 5,
): Promise<Map<string, string[]>> {
  const found = await byParts(parts, (part) =>
    select<{ kid: string; cause_id: string; samples: string[] }>(
      src,
      (v) => `SELECT kid, cause_id, groupArray(${quoteUInt(perGroup)})(rid) AS samples FROM (
       SELECT key_id AS kid, ${causeSql(part.flagged, v)} AS cause_id, resource_id AS rid,
              uniqExact(request_id) AS n
       FROM ${denialsWithFacts(s, v, part.keys)}
       WHERE resource_id != ''
         AND NOT ${FOREIGN}
         AND resource_id NOT IN (
           SELECT resource_id FROM denials
           WHERE account_id = ${v.string(s.accountId)} AND ${FOREIGN}
         )
       GROUP BY kid, cause_id, rid
       ORDER BY n DESC, rid
     )
     GROUP BY kid, cause_id`,
    ),
  );
  const samples = new Map<string, string[]>();
  for (const row of found) samples.set(sampleKey(row.kid, asCause(row.cause_id)), row.samples);
  return samples;
}

export const sampleKey = (keyId: string, cause: Cause): string => `${cause}\u0000${keyId}`;

/** All requests (every status) per key in the period, from request_totals. */
export async function requestsByKey(src: ReportSource, s: Scope): Promise<Map<string, number>> {
  const found = await select<{ kid: string; req: string }>(
    src,
    (v) => `SELECT key_id AS kid, sum(requests) AS req FROM request_totals FINAL
     WHERE ${scope(s, v, 'minute')}
     GROUP BY kid`,
  );
  return new Map(found.map((row) => [row.kid, num(row.req)]));
}
