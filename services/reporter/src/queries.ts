import { quoteString, quoteUInt, type ClickHouseClient } from '@denyscope/clickhouse';
import { causeSql, CAUSES, type Cause } from './causes.js';

// Every query of a report reads rows of one account only: `scope()` is the first condition of each
// WHERE clause. Aliases never reuse a column name (on 18.16 an alias shadows the column inside
// other aggregates of the same SELECT).

export interface Scope {
  accountId: string;
  sinceSec: number;
  untilSec: number;
}

function scope(s: Scope, timeColumn = 'event_time'): string {
  return [
    `account_id = ${quoteString(s.accountId)}`,
    `${timeColumn} >= toDateTime(${quoteUInt(s.sinceSec)})`,
    `${timeColumn} < toDateTime(${quoteUInt(s.untilSec)})`,
  ].join(' AND ');
}

const FOREIGN = `(owner_state = 2 AND resource_owner != account_id)`;

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
  /** Distinct denied IDs of a key within one UTC hour that make it a scanner... */
  minIdsPerHour: number;
  /** ...when at least this share of them do not exist. */
  minMissingShare: number;
}

export const DEFAULT_SCAN_THRESHOLDS: ScanThresholds = { minIdsPerHour: 150, minMissingShare: 0.8 };

/** Keys of the account named in an id-enumeration incident that overlaps the period. */
export async function keysWithEnumerationIncident(
  client: ClickHouseClient,
  s: Scope,
): Promise<string[]> {
  const found = await select<{ kid: string }>(
    client,
    `SELECT DISTINCT key_id AS kid FROM alerts FINAL
     WHERE account_id = ${quoteString(s.accountId)} AND rule = 'id-enumeration' AND key_id != ''
       AND last_seen >= toDateTime(${quoteUInt(s.sinceSec)})
       AND first_seen < toDateTime(${quoteUInt(s.untilSec)})`,
  );
  return found.map((row) => row.kid);
}

/**
 * Keys listed in a distributed-enumeration incident (subject: a client IP, keys in the evidence)
 * that overlaps the period. The evidence names keys of several accounts; the caller keeps the
 * account's own keys only, and nothing else of it leaves this function.
 */
export async function keysInDistributedIncidents(
  client: ClickHouseClient,
  s: Scope,
  accountKeys: ReadonlySet<string>,
): Promise<string[]> {
  const found = await select<{ evidence: string }>(
    client,
    `SELECT evidence FROM alerts FINAL
     WHERE rule = 'distributed-enumeration'
       AND last_seen >= toDateTime(${quoteUInt(s.sinceSec)})
       AND first_seen < toDateTime(${quoteUInt(s.untilSec)})`,
  );
  const keys = new Set<string>();
  for (const row of found) {
    let evidence: unknown;
    try {
      evidence = JSON.parse(row.evidence);
    } catch {
      continue;
    }
    const listed = (evidence as { key_ids?: unknown } | null)?.key_ids;
    if (!Array.isArray(listed)) continue;
    for (const key of listed) if (typeof key === 'string' && accountKeys.has(key)) keys.add(key);
  }
  return [...keys];
}

/** Keys that, in some UTC hour of the period, were denied on many distinct IDs, mostly missing. */
export async function keysScanningByShape(
  client: ClickHouseClient,
  s: Scope,
  thresholds: ScanThresholds,
): Promise<string[]> {
  const share = Math.round(thresholds.minMissingShare * 1000);
  const found = await select<{ kid: string }>(
    client,
    `SELECT kid FROM (
       SELECT key_id AS kid, toStartOfHour(event_time) AS hour,
              uniqExact(resource_id) AS ids, uniqExactIf(resource_id, owner_state = 1) AS missing
       FROM denials WHERE ${scope(s)} AND resource_id != ''
       GROUP BY kid, hour
     )
     WHERE ids >= ${quoteUInt(thresholds.minIdsPerHour)} AND missing * 1000 >= ids * ${quoteUInt(share)}
     GROUP BY kid`,
  );
  return found.map((row) => row.kid);
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
  firstSec: number;
  lastSec: number;
}

export async function denialsByKeyAndCause(
  client: ClickHouseClient,
  s: Scope,
  scanningKeys: readonly string[],
): Promise<KeyCauseRow[]> {
  const found = await select<Record<string, string>>(
    client,
    `SELECT key_id AS kid, ${causeSql(scanningKeys)} AS cause_id,
            uniqExact(request_id) AS n, uniqExact(resource_id) AS ids,
            uniqExactIf(resource_id, ${FOREIGN}) AS foreign_ids,
            uniqExactIf(resource_owner, ${FOREIGN}) AS foreign_owners,
            toUInt32(min(event_time)) AS first_s, toUInt32(max(event_time)) AS last_s
     FROM denials WHERE ${scope(s)}
     GROUP BY kid, cause_id`,
  );
  return found.map((row) => ({
    keyId: row.kid ?? '',
    cause: asCause(row.cause_id ?? ''),
    denials: num(row.n),
    distinctIds: num(row.ids),
    otherAccountResources: num(row.foreign_ids),
    otherAccounts: num(row.foreign_owners),
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
  scanningKeys: readonly string[],
): Promise<CauseCountRow[]> {
  const found = await select<Record<string, string>>(
    client,
    `SELECT toString(intDiv(toUInt32(event_time), 86400)) AS day_n,
            ${causeSql(scanningKeys)} AS cause_id, uniqExact(request_id) AS n
     FROM denials WHERE ${scope(s)}
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
  scanningKeys: readonly string[],
): Promise<CauseCountRow[]> {
  const found = await select<Record<string, string>>(
    client,
    `SELECT resource_pattern AS pat, ${causeSql(scanningKeys)} AS cause_id,
            uniqExact(request_id) AS n
     FROM denials WHERE ${scope(s)}
     GROUP BY pat, cause_id`,
  );
  return found.map((row) => ({
    group: row.pat ?? '',
    cause: asCause(row.cause_id ?? ''),
    denials: num(row.n),
  }));
}

/**
 * Up to `perGroup` of the most denied resource IDs per key and cause that the customer may see:
 * IDs that do not exist, whose owner is unknown, or that are the account's own. An ID the account
 * was ever denied on as another account's resource is left out, whatever other rows say about it.
 */
export async function sampleIds(
  client: ClickHouseClient,
  s: Scope,
  scanningKeys: readonly string[],
  perGroup = 5,
): Promise<Map<string, string[]>> {
  const account = quoteString(s.accountId);
  const found = await select<{ kid: string; cause_id: string; samples: string[] }>(
    client,
    `SELECT kid, cause_id, groupArray(${quoteUInt(perGroup)})(rid) AS samples FROM (
       SELECT key_id AS kid, ${causeSql(scanningKeys)} AS cause_id, resource_id AS rid,
              uniqExact(request_id) AS n
       FROM denials
       WHERE ${scope(s)} AND resource_id != ''
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
