import { z } from 'zod';
import { CAUSES } from './causes.js';

// The JSON format of a report, version 1. Additive changes keep the version; removing or renaming a
// field raises it. Every field holds data of the report's own account only: other accounts appear
// as counts, never as IDs.

export const REPORT_VERSION = 1;

const count = z.number().int().nonnegative();
const isoTime = z.iso.datetime();

export const causeSchema = z.enum(CAUSES);

/** Denials per cause, every cause present (0 when none). */
export const causeCountsSchema = z.object(
  Object.fromEntries(CAUSES.map((cause) => [cause, count])) as Record<
    (typeof CAUSES)[number],
    typeof count
  >,
);

export const keyCauseSchema = z.object({
  cause: causeSchema,
  denials: count,
  distinct_ids: count,
  /** Distinct existing resources of other accounts asked for (a count; never their IDs). */
  other_account_resources: count,
  /** Distinct other accounts owning them (a count; never their IDs). */
  other_accounts: count,
  /** Distinct IDs the account had deleted itself (a 2xx DELETE) before they were denied. */
  deleted_ids: count,
  first_seen: isoTime,
  last_seen: isoTime,
  /** Up to 5 IDs the customer may see: missing, owner unknown, or the account's own. */
  sample_ids: z.array(z.string()),
});

export const keySectionSchema = z.object({
  key_id: z.string(),
  denials: count,
  /** All requests of the key in the period, from request_totals (every status). */
  requests: count,
  /** The cause with the most denials for the key. */
  main_cause: causeSchema,
  /**
   * Why the key counts as scanning, when it does: an enumeration incident above `info`, or many
   * guessed IDs (never used by the account), mostly missing, in one hour.
   */
  scanning_reason: z.enum(['incident', 'many-missing-ids']).nullable(),
  causes: z.array(keyCauseSchema),
});

export const reportSchema = z.object({
  report_version: z.literal(REPORT_VERSION),
  account_id: z.string(),
  period: z.object({ since: isoTime, until: isoTime }),
  generated_at: isoTime,
  totals: z.object({
    denials: count,
    keys: count,
    by_cause: causeCountsSchema,
  }),
  causes: z.array(
    z.object({
      cause: causeSchema,
      title: z.string(),
      meaning: z.string(),
      remediation: z.string(),
      denials: count,
      keys: count,
      /** Distinct IDs of this cause the account had deleted itself before they were denied. */
      deleted_ids: count,
    }),
  ),
  keys: z.array(keySectionSchema),
  top_patterns: z.array(
    z.object({ pattern: z.string(), denials: count, by_cause: causeCountsSchema }),
  ),
  /** One entry per UTC day of the period, oldest first. */
  daily: z.array(
    z.object({
      day: z.iso.date(),
      denials: count,
      by_cause: causeCountsSchema,
    }),
  ),
});

export type Report = z.infer<typeof reportSchema>;
export type KeySection = z.infer<typeof keySectionSchema>;
export type KeyCause = z.infer<typeof keyCauseSchema>;
export type CauseCounts = z.infer<typeof causeCountsSchema>;
