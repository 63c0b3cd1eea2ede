import {
  serverCapabilities,
  type ClickHouseClient,
  type SqlCapabilities,
} from '@denyscope/clickhouse';
import { describeCause } from './cause-text.js';
import { CAUSES, type Cause, type FlaggedKeys } from './causes.js';
import { InvalidReportRequestError } from './errors.js';
import {
  DEFAULT_SCAN_THRESHOLDS,
  accountKeys,
  denialsByDayAndCause,
  denialsByKeyAndCause,
  denialsByPatternAndCause,
  deletedIdsByCause,
  keysInDistributedIncidents,
  keysScanningByShape,
  keyParts,
  keysWithEnumerationIncident,
  requestsByKey,
  sampleIds,
  sampleKey,
  type ReportSource,
  type ScanThresholds,
  type Scope,
} from './queries.js';
import {
  REPORT_VERSION,
  reportSchema,
  type CauseCounts,
  type KeySection,
  type Report,
} from './report-schema.js';

export interface ReportRequest {
  accountId: string;
  since: Date;
  until: Date;
}

export interface BuildOptions {
  scan?: ScanThresholds;
  /** Number of resource patterns listed; default 10. */
  topPatterns?: number;
  /** Clock for `generated_at` (tests). */
  now?: () => Date;
  /**
   * What the server can do (query parameters or quoted literals for untrusted values). Absent:
   * read from the server once per client (serverCapabilities).
   */
  capabilities?: SqlCapabilities;
}

const DAY_MS = 86_400_000;
/** Longest period one report covers: the daily trend has one entry per day. */
const MAX_PERIOD_MS = 366 * DAY_MS;

export function emptyCauseCounts(): CauseCounts {
  return Object.fromEntries(CAUSES.map((cause) => [cause, 0])) as CauseCounts;
}

function validate(request: ReportRequest): Scope {
  const { accountId, since, until } = request;
  if (accountId.trim() === '') throw new InvalidReportRequestError('accountId is empty');
  if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) {
    throw new InvalidReportRequestError('since and until must be valid dates');
  }
  if (until.getTime() <= since.getTime()) {
    throw new InvalidReportRequestError('until must be after since');
  }
  if (since.getTime() < 0) throw new InvalidReportRequestError('since is before 1970');
  if (until.getTime() - since.getTime() > MAX_PERIOD_MS) {
    throw new InvalidReportRequestError('the period is longer than 366 days');
  }
  return {
    accountId,
    sinceSec: Math.floor(since.getTime() / 1000),
    untilSec: Math.ceil(until.getTime() / 1000),
  };
}

const isoDay = (dayNumber: number): string =>
  new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
const isoSec = (sec: number): string => new Date(sec * 1000).toISOString();

/**
 * Which keys the key-level causes apply to (causes.ts, precedence). A serious enumeration incident
 * makes a key scanning. A key whose enumeration incidents all stayed `info` is test traffic, even
 * when the report's own shape heuristic would flag it: the detector judged it on fuller facts
 * (environment, other tenants, the key's successful IDs). The heuristic flags the remaining keys.
 */
export function flagKeys(
  seriousIncident: readonly string[],
  infoIncident: readonly string[],
  byShape: readonly string[],
): FlaggedKeys {
  const serious = new Set(seriousIncident);
  const testTraffic = new Set(infoIncident.filter((key) => !serious.has(key)));
  const scanning = new Set([...serious, ...byShape.filter((key) => !testTraffic.has(key))]);
  return { scanning: [...scanning].sort(), testTraffic: [...testTraffic].sort() };
}

/**
 * Reads one account's denials for the period and returns its report. Every query filters on the
 * account; other accounts appear only as counts.
 */
export async function buildReport(
  client: ClickHouseClient,
  request: ReportRequest,
  options: BuildOptions = {},
): Promise<Report> {
  const s = validate(request);
  const thresholds = options.scan ?? DEFAULT_SCAN_THRESHOLDS;
  const src: ReportSource = {
    client,
    caps: options.capabilities ?? (await serverCapabilities(client)),
  };

  const keys = await accountKeys(src, s);
  const [enumeration, distributed, byShape] = await Promise.all([
    keysWithEnumerationIncident(src, s),
    keysInDistributedIncidents(src, s, new Set(keys)),
    keysScanningByShape(src, s, thresholds),
  ]);
  const flagged = flagKeys(
    [...enumeration.serious, ...distributed.serious],
    [...enumeration.infoOnly, ...distributed.infoOnly],
    byShape,
  );
  const incidentKeys = new Set([...enumeration.serious, ...distributed.serious]);
  const scanning = new Set(flagged.scanning);

  // An account with very many keys is read in chunks of its keys (keyParts).
  const parts = keyParts(keys, flagged);
  const [keyRows, dayRows, patternRows, deletedByCause, samples, requests] = await Promise.all([
    denialsByKeyAndCause(src, s, parts),
    denialsByDayAndCause(src, s, parts),
    denialsByPatternAndCause(src, s, parts),
    deletedIdsByCause(src, s, parts),
    sampleIds(src, s, parts),
    requestsByKey(src, s),
  ]);

  const totals = emptyCauseCounts();
  const keysPerCause = emptyCauseCounts();
  const sections = new Map<string, KeySection>();
  for (const row of keyRows) {
    totals[row.cause] += row.denials;
    keysPerCause[row.cause] += 1;
    let section = sections.get(row.keyId);
    if (section === undefined) {
      section = {
        key_id: row.keyId,
        denials: 0,
        requests: requests.get(row.keyId) ?? 0,
        main_cause: row.cause,
        scanning_reason: incidentKeys.has(row.keyId)
          ? 'incident'
          : scanning.has(row.keyId)
            ? 'many-missing-ids'
            : null,
        causes: [],
      };
      sections.set(row.keyId, section);
    }
    section.denials += row.denials;
    section.causes.push({
      cause: row.cause,
      denials: row.denials,
      distinct_ids: row.distinctIds,
      other_account_resources: row.otherAccountResources,
      other_accounts: row.otherAccounts,
      deleted_ids: row.deletedIds,
      first_seen: isoSec(row.firstSec),
      last_seen: isoSec(row.lastSec),
      sample_ids: samples.get(sampleKey(row.keyId, row.cause)) ?? [],
    });
  }
  for (const section of sections.values()) {
    section.causes.sort(
      (a, b) => b.denials - a.denials || CAUSES.indexOf(a.cause) - CAUSES.indexOf(b.cause),
    );
    section.main_cause = section.causes[0]?.cause ?? section.main_cause;
  }

  const patterns = new Map<string, CauseCounts>();
  for (const row of patternRows) {
    const counts = patterns.get(row.group) ?? emptyCauseCounts();
    counts[row.cause] += row.denials;
    patterns.set(row.group, counts);
  }
  const sum = (counts: CauseCounts): number => CAUSES.reduce((acc, c) => acc + counts[c], 0);
  const topPatterns = [...patterns]
    .map(([pattern, byCause]) => ({ pattern, denials: sum(byCause), by_cause: byCause }))
    .sort((a, b) => b.denials - a.denials || a.pattern.localeCompare(b.pattern))
    .slice(0, options.topPatterns ?? 10);

  const days = new Map<number, CauseCounts>();
  const firstDay = Math.floor((s.sinceSec * 1000) / DAY_MS);
  const lastDay = Math.floor((s.untilSec * 1000 - 1) / DAY_MS);
  for (let day = firstDay; day <= lastDay; day += 1) days.set(day, emptyCauseCounts());
  for (const row of dayRows) {
    const counts = days.get(Number(row.group));
    if (counts) counts[row.cause] += row.denials;
  }

  const causeSummary = (cause: Cause) => {
    const deletedIds = deletedByCause.get(cause) ?? 0;
    return {
      cause,
      ...describeCause(cause, { deletedIds }),
      denials: totals[cause],
      keys: keysPerCause[cause],
      deleted_ids: deletedIds,
    };
  };

  const report: Report = {
    report_version: REPORT_VERSION,
    account_id: request.accountId,
    period: { since: isoSec(s.sinceSec), until: isoSec(s.untilSec) },
    generated_at: (options.now?.() ?? new Date()).toISOString(),
    totals: { denials: sum(totals), keys: sections.size, by_cause: totals },
    causes: CAUSES.filter((cause) => totals[cause] > 0).map(causeSummary),
    keys: [...sections.values()].sort(
      (a, b) => b.denials - a.denials || a.key_id.localeCompare(b.key_id),
    ),
    top_patterns: topPatterns,
    daily: [...days].map(([day, byCause]) => ({
      day: isoDay(day),
      denials: sum(byCause),
      by_cause: byCause,
    })),
  };
  // The JSON format is a contract: a report that does not match it is a bug, caught here.
  return reportSchema.parse(report);
}
