import type { Cause } from './causes.js';

// What a customer reads for each cause: what the denials mean and what to do. The advice must fit
// the cause: only keys that really scanned are told to rotate; stale IDs and test traffic are the
// account's own doing and compromise nothing.

export interface CauseText {
  title: string;
  /** What the denials of this cause mean. */
  meaning: string;
  /** What the customer can do about them. */
  remediation: string;
}

export const CAUSE_TEXT: Record<Cause, CauseText> = {
  scanning: {
    title: 'Scanning',
    meaning:
      'The key asked for many different resource IDs that this account never used, most of which do not exist, or was named in an ID-enumeration incident.',
    remediation:
      'Treat the key as possibly compromised: rotate it and check who uses it. In multi-tenant products, map raw IDs to opaque tokens so that end users cannot guess or walk them.',
  },
  'other-environment': {
    title: 'IDs of another environment',
    meaning:
      'The key used resource IDs that belong to another environment (for example staging IDs in production), or the key itself is marked for another environment.',
    remediation:
      'Never hard-code resource IDs or keys across environments: load them from per-environment configuration and create the resources in each environment.',
  },
  'another-account': {
    title: 'IDs of another account',
    meaning:
      "The key asked for existing resources that belong to a different account: the key is likely paired with the wrong account, or another account's IDs reached this integration.",
    remediation:
      'Pair each key with its owning account (check which account every key belongs to), and validate resource IDs against the account before sending them.',
  },
  'test-traffic': {
    title: 'Invented IDs outside production',
    meaning:
      'Outside production, the key asked for many resource IDs that this account never used, none of them a resource of another account: the shape of a load test or a test suite run against invented IDs. Nothing points to a compromised key, and no data of another account was reached.',
    remediation:
      'Check that this test traffic was intended and runs with a test key. Let tests use IDs of resources created by the test itself (create, then read, update or delete) instead of invented or sequential ones, so that their denials stay meaningful.',
  },
  'stale-ids': {
    title: 'Stale or deleted IDs',
    meaning:
      'The key asked for resources that no longer exist or never did: IDs this account used before (read, created or deleted them) and still sends, and IDs that do not exist.',
    remediation:
      'Drop deleted IDs from stored state, caches and job inputs; after a bulk delete, re-read the list of resources instead of reusing the one read before. Validate IDs against the account before sending, and stop polling deleted resources.',
  },
  unexplained: {
    title: 'Unexplained',
    meaning: 'The platform gave no reason for these denials (the owner of the ID is unknown).',
    remediation:
      'Check that the IDs were created by this account in this environment; validate IDs against the account before sending.',
  },
};

/** Facts of one cause in a report that its text quotes. */
export interface CauseCountsForText {
  /** Distinct denied IDs of the cause that the account had deleted itself before the denial. */
  deletedIds: number;
}

const plural = (n: number, one: string, many: string): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The text of a cause as a report states it, with the counts that make it specific. */
export function describeCause(cause: Cause, counts: CauseCountsForText): CauseText {
  const text = CAUSE_TEXT[cause];
  if (cause !== 'stale-ids' || counts.deletedIds === 0) return text;
  return {
    ...text,
    meaning:
      `${text.meaning} These include resources this account deleted itself: ` +
      `${plural(counts.deletedIds, 'ID was', 'IDs were')} asked for after a successful DELETE by ` +
      'this account, so something kept them after the delete (a stored list, a cache, the input ' +
      'of a job).',
  };
}
