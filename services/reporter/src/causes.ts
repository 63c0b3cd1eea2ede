import { quoteString } from '@denyscope/clickhouse';

/**
 * Why a key was denied, as a customer can act on it. Every denial gets exactly one cause: the
 * first entry of CAUSE_PRECEDENCE whose condition holds. `unexplained` catches what the platform
 * gave no reason for (owner unknown, same environment).
 */
export const CAUSES = [
  'scanning',
  'other-environment',
  'another-account',
  'stale-ids',
  'unexplained',
] as const;

export type Cause = (typeof CAUSES)[number];

/** What one denial row tells about its cause (the columns of `denials` that decide it). */
export interface DenialFacts {
  /** The key is flagged as scanning for the period (enumeration incident or heuristic). */
  scanningKey: boolean;
  resourceEnv: string;
  keyEnv: string;
  /** 0 owner unknown, 1 no such resource, 2 owned by resourceOwner. */
  ownerState: number;
  /** Whether resource_owner differs from the key's account (only meaningful when ownerState 2). */
  ownedByAnotherAccount: boolean;
}

interface CauseRule {
  cause: Cause;
  /** The same condition on a `denials` row, for ClickHouse (`scanning` receives the key list). */
  sql: (scanningKeys: readonly string[]) => string;
  matches: (facts: DenialFacts) => boolean;
}

// Order is the precedence. Scanning first: a key walking IDs explains all of its denials, whatever
// it hit. Then environment: an ID copied across environments may also exist (or be owned)
// there, but the fix is the environment configuration. Then another account's resources (a key
// paired with the wrong account), then IDs that do not exist (stale or deleted).
export const CAUSE_PRECEDENCE: readonly CauseRule[] = [
  {
    cause: 'scanning',
    sql: (keys) => (keys.length === 0 ? '0' : `key_id IN (${keys.map(quoteString).join(', ')})`),
    matches: (f) => f.scanningKey,
  },
  {
    cause: 'other-environment',
    sql: () => `(resource_env != '' OR key_env != '')`,
    matches: (f) => f.resourceEnv !== '' || f.keyEnv !== '',
  },
  {
    cause: 'another-account',
    sql: () => `(owner_state = 2 AND resource_owner != account_id)`,
    matches: (f) => f.ownerState === 2 && f.ownedByAnotherAccount,
  },
  {
    cause: 'stale-ids',
    sql: () => `owner_state = 1`,
    matches: (f) => f.ownerState === 1,
  },
];

/** The cause of one denial (TypeScript twin of causeSql, which the queries use). */
export function classifyDenial(facts: DenialFacts): Cause {
  return CAUSE_PRECEDENCE.find((rule) => rule.matches(facts))?.cause ?? 'unexplained';
}

/** A ClickHouse expression giving each `denials` row its cause, in precedence order. */
export function causeSql(scanningKeys: readonly string[]): string {
  const branches = CAUSE_PRECEDENCE.map(
    (rule) => `${rule.sql(scanningKeys)}, ${quoteString(rule.cause)}`,
  );
  return `multiIf(${branches.join(', ')}, ${quoteString('unexplained')})`;
}

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
      'The key asked for many different resource IDs, most of which do not exist, or was named in an ID-enumeration incident.',
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
  'stale-ids': {
    title: 'Stale or deleted IDs',
    meaning: 'The key asked for resources that do not exist, typically deleted ones still stored.',
    remediation:
      'Validate IDs against the account before sending: remove deleted resources from stored configuration and caches, and stop polling them.',
  },
  unexplained: {
    title: 'Unexplained',
    meaning: 'The platform gave no reason for these denials (the owner of the ID is unknown).',
    remediation:
      'Check that the IDs were created by this account in this environment; validate IDs against the account before sending.',
  },
};
