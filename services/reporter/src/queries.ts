import { quoteString, quoteUInt, type ClickHouseClient } from '@denyscope/clickhouse';
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
// aggregates of the same SELECT).

export type { Scope };

async function select<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
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
  client: ClickHouseClient,
  s: Scope,
): Promise<IncidentKeys> {
  const found = await select<{ kid: string; serious: string }>(
    client,
    `SELECT key_id AS kid, countIf(severity != 'info') AS serious FROM alerts FINAL
     WHERE account_id = ${quoteString(s.accountId)} AND rule = 'id-enumeration' AND key_id != ''
       AND ${overlapsPeriod(s)}
     GROUP BY kid`,
  );
  return splitBySeverity(found.map((row) => [row.kid, num(row.serious) > 0]));
}

/**
 * Keys listed in a distributed-enumeration incident (subject: a client IP or network, keys in the
 * evidence) that overlaps the period. The evidence names keys of several accounts; only the
 * account's own keys are kept, and nothing else of it leaves this function.
 */
export async function keysInDistributedIncidents(
  client: ClickHouseClient,
  s: Scope,
  accountKeys: ReadonlySet<string>,
): Promise<IncidentKeys> {
  const found = await select<{ evidence: string; severity: string }>(
    client,
    `SELECT evidence, severity FROM alerts FINAL
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
    const keys = (evidence as { key_ids?: unknown } | null)?.key_ids;
    if (!Array.isArray(keys)) continue;
    for (const key of keys) {
      if (typeof key === 'string' && accountKeys.has(key))
        listed.push([key, row.severity !== 'info']);
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
  client: ClickHouseClient,
  s: Scope,
  thresholds: ScanThresholds,
): Promise<string[]> {
  const share = Math.round(thresholds.minMissingShare * 1000);
  const guess = `NOT (${KNOWN_TO_ACCOUNT})`;
  const found = await select<{ kid: string }>(
    client,
    `SELECT kid FROM (
       SELECT key_id AS kid, toStartOfHour(event_time) AS hour,
              uniqExactIf(resource_id, ${guess}) AS guessed,
              uniqExactIf(resource_id, ${guess} AND owner_state = 1) AS guessed_missing
       FROM ${denialsWithFacts(s)} WHERE resource_id != ''
       GROUP BY kid, hour
     )
     WHERE guessed >= ${quoteUInt(thresholds.minIdsPerHour)}
       AND guessed_missing * 1000 >= guessed * ${quoteUInt(share)}
     GROUP BY kid`,
  );
  return found.map((row) => row.kid).sort();
}

export async function accountKeys(client: ClickHouseClient, s: Scope): Promise<string[]> {
  const found = await select<{ kid: string }>(
    client,
    `SELECT DISTINCT key_id AS kid FROM denials WHERE ${scope(s)}`,
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
  client: ClickHouseClient,
  s: Scope,
  keys: FlaggedKeys,
): Promise<KeyCauseRow[]> {
  const found = await select<Record<string, string>>(
    client,
    `SELECT key_id AS kid, ${causeSql(keys)} AS cause_id,
            uniqExact(request_id) AS n, uniqExact(resource_id) AS ids,
            uniqExactIf(resource_id, ${FOREIGN}) AS foreign_ids,
            uniqExactIf(resource_owner, ${FOREIGN}) AS foreign_owners,
            uniqExactIf(resource_id, ${DELETED_BY_ACCOUNT}) AS deleted_n,
            toUInt32(min(event_time)) AS first_s, toUInt32(max(event_time)) AS last_s
     FROM ${denialsWithFacts(s)}
     GROUP BY kid, cause_id`,
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
export async function denialsByDayAndCause(
  client: ClickHouseClient,
  s: Scope,
  keys: FlaggedKeys,
): Promise<CauseCountRow[]> {
  const found = await select<Record<string, string>>(
    client,
    `SELECT toString(intDiv(toUInt32(event_time), 86400)) AS day_n,
            ${causeSql(keys)} AS cause_id, uniqExact(request_id) AS n
     FROM ${denialsWithFacts(s)}
     GROUP BY day_n, cause_id`,
  );
  return found.map((row) => ({
    group: row.day_n ?? '0',
    cause: asCause(row.cause_id ?? ''),
    denials: num(row.n),
  }));
}

export async function denialsByPatternAndCause(
  client: ClickHouseClient,
  s: Scope,
  keys: FlaggedKeys,
): Promise<CauseCountRow[]> {
  const found = await select<Record<string, string>>(
    client,
    `SELECT resource_pattern AS pat, ${causeSql(keys)} AS cause_id,
            uniqExact(request_id) AS n
     FROM ${denialsWithFacts(s)}
     GROUP BY pat, cause_id`,
  );
  return found.map((row) => ({
    group: row.pat ?? '',
    cause: asCause(row.cause_id ?? ''),
    denials: num(row.n),
  }));
}

/** Per cause: distinct IDs the account had deleted itself before they were denied. */
export async function deletedIdsByCause(
  client: ClickHouseClient,
  s: Scope,
  keys: FlaggedKeys,
): Promise<Map<Cause, number>> {
  const found = await select<{ cause_id: string; deleted_n: string }>(
    client,
    `SELECT ${causeSql(keys)} AS cause_id, uniqExactIf(resource_id, ${DELETED_BY_ACCOUNT}) AS deleted_n
     FROM ${denialsWithFacts(s)}
     GROUP BY cause_id`,
  );
  return new Map(found.map((row) => [asCause(row.cause_id), num(row.deleted_n)]));
}

/**
 * Up to `perGroup` of the most denied resource IDs per key and cause that the customer may see:
 * IDs that do not exist, whose owner is unknown, or that are the account's own. An ID the account
 * was ever denied on as another account's resource is left out, whatever other rows say about it.
 */
export async function sampleIds(
  client: ClickHouseClient,
  s: Scope,
  keys: FlaggedKeys,
  perGroup = 5,
): Promise<Map<string, string[]>> {
  const account = quoteString(s.accountId);
  const found = await select<{ kid: string; cause_id: string; samples: string[] }>(
    client,
    `SELECT kid, cause_id, groupArray(${quoteUInt(perGroup)})(rid) AS samples FROM (
       SELECT key_id AS kid, ${causeSql(keys)} AS cause_id, resource_id AS rid,
              uniqExact(request_id) AS n
       FROM ${denialsWithFacts(s)}
       WHERE resource_id != ''
         AND (owner_state != 2 OR resource_owner = account_id)
         AND resource_id NOT IN (
           SELECT resource_id FROM denials
           WHERE account_id = ${account} AND ${FOREIGN}
         )
       GROUP BY kid, cause_id, rid
       ORDER BY n DESC, rid
     )
     GROUP BY kid, cause_id`,
  );
  const samples = new Map<string, string[]>();
  for (const row of found) samples.set(sampleKey(row.kid, asCause(row.cause_id)), row.samples);
  return samples;
}

export const sampleKey = (keyId: string, cause: Cause): string => `${cause}\u0000${keyId}`;

/** All requests (every status) per key in the period, from request_totals. */
export async function requestsByKey(
  client: ClickHouseClient,
  s: Scope,
): Promise<Map<string, number>> {
  const found = await select<{ kid: string; req: string }>(
    client,
    `SELECT key_id AS kid, sum(requests) AS req FROM request_totals FINAL
     WHERE ${scope(s, 'minute')}
     GROUP BY kid`,
  );
  return new Map(found.map((row) => [row.kid, num(row.req)]));
}
