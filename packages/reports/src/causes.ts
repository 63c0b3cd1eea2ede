import { quoteString, type SqlValues } from '@denyscope/clickhouse';
import { NO_SUCH_RESOURCE, NO_SUCH_RESOURCE_SQL, NOT_OWNED_SQL, OWNED } from '@denyscope/events';
import { FOREIGN, KNOWN_TO_ACCOUNT } from './denial-facts.js';

/**
 * Why a key was denied, as a customer can act on it. Every denial gets exactly one cause: the
 * first entry of CAUSE_PRECEDENCE whose condition holds. `unexplained` catches what the platform
 * gave no reason for (owner unknown, same environment, an ID the account never used).
 *
 * Precedence, and why:
 *
 * 1. `scanning`: the key is *really* flagged for the period: an enumeration incident above `info`
 *    (id-enumeration, or distributed-enumeration listing the key), or, without any enumeration
 *    incident, many *guessed* IDs in one hour (IDs the account never used before the denial,
 *    mostly missing). A scanner explains everything it hit.
 * 2. `other-environment`: an ID (or a key) of another environment; it may also exist or be owned
 *    there, but the fix is the environment configuration.
 * 3. `another-account`: another account's existing resource (a key paired with the wrong account).
 * 4. `test-traffic`: the key's only enumeration incidents are `info` (outside production, no other
 *    tenant touched: a load test or a test suite against invented IDs), for an ID the account
 *    never used. The detector's verdict, made on fuller facts (the environment, the key's
 *    successful IDs), stands over the report's own shape heuristic.
 * 5. `stale-ids`: an ID the account used before the denial (read, created, deleted it), or one
 *    that does not exist (owner_state 1): stale or deleted IDs. Known IDs come after the key-level
 *    causes only: of a test key they are still stale, as the test deleted what it re-reads.
 */
export const CAUSES = [
  'scanning',
  'other-environment',
  'another-account',
  'test-traffic',
  'stale-ids',
  'unexplained',
] as const;

export type Cause = (typeof CAUSES)[number];

/** What one denial row tells about its cause (the facts that decide it). */
export interface DenialFacts {
  /** The key is flagged as scanning for the period (enumeration incident or guessed-ID shape). */
  scanningKey: boolean;
  /** The key's only enumeration incidents in the period are `info` (test traffic). */
  testTrafficKey: boolean;
  resourceEnv: string;
  keyEnv: string;
  /** owner_state: OWNER_UNKNOWN, NO_SUCH_RESOURCE or OWNED by resourceOwner (@denyscope/events). */
  ownerState: number;
  /** Whether resource_owner differs from the key's account (only meaningful when ownerState 2). */
  ownedByAnotherAccount: boolean;
  /**
   * The account used the ID successfully at or before the denial (account_resources), and it is
   * not another account's existing resource: a stale or deleted ID of its own, never a guess.
   */
  knownToAccount: boolean;
}

/** The keys flagged for the period, which the key-level causes test. */
export interface FlaggedKeys {
  scanning: readonly string[];
  testTraffic: readonly string[];
}

interface CauseRule {
  cause: Cause;
  /** The same condition on a denialsWithFacts row, for ClickHouse. */
  sql: (keys: FlaggedKeys, v: SqlValues) => string;
  matches: (facts: DenialFacts) => boolean;
}

// The lists are bounded by the caller: the report queries run per chunk of the account's keys
// (keyParts in queries.ts), each with the flagged keys of its chunk only.
const keyIn = (keys: readonly string[], v: SqlValues): string =>
  keys.length === 0 ? '0' : `key_id IN ${v.strings(keys)}`;

// Order is the precedence (see the module header).
export const CAUSE_PRECEDENCE: readonly CauseRule[] = [
  {
    cause: 'scanning',
    sql: (keys, v) => keyIn(keys.scanning, v),
    matches: (f) => f.scanningKey,
  },
  {
    cause: 'other-environment',
    sql: () => `(resource_env != '' OR key_env != '')`,
    matches: (f) => f.resourceEnv !== '' || f.keyEnv !== '',
  },
  {
    cause: 'another-account',
    sql: () => FOREIGN,
    matches: (f) => f.ownerState === OWNED && f.ownedByAnotherAccount,
  },
  {
    cause: 'test-traffic',
    sql: (keys, v) => `(${keyIn(keys.testTraffic, v)} AND NOT (${KNOWN_TO_ACCOUNT}))`,
    matches: (f) => f.testTrafficKey && !f.knownToAccount,
  },
  {
    cause: 'stale-ids',
    // An own existing resource (owner_state 2, same account) is not stale, known or not.
    sql: () => `(${NOT_OWNED_SQL} AND (${KNOWN_TO_ACCOUNT} OR ${NO_SUCH_RESOURCE_SQL}))`,
    matches: (f) =>
      f.ownerState !== OWNED && (f.knownToAccount || f.ownerState === NO_SUCH_RESOURCE),
  },
];

/** The cause of one denial (TypeScript twin of causeSql, which the queries use). */
export function classifyDenial(facts: DenialFacts): Cause {
  return CAUSE_PRECEDENCE.find((rule) => rule.matches(facts))?.cause ?? 'unexplained';
}

/**
 * A ClickHouse expression giving each denialsWithFacts row its cause, in precedence order. The
 * cause names are ours (quoted literals); the flagged keys go through `v`.
 */
export function causeSql(keys: FlaggedKeys, v: SqlValues): string {
  const branches = CAUSE_PRECEDENCE.map(
    (rule) => `${rule.sql(keys, v)}, ${quoteString(rule.cause)}`,
  );
  return `multiIf(${branches.join(', ')}, ${quoteString('unexplained')})`;
}
