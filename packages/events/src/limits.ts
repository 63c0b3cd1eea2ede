/**
 * Size limits of the v1 event contract. The hand-written validator and the zod schema both read
 * them, so the two cannot drift apart.
 */
export const EVENT_LIMITS = Object.freeze({
  /** Default for `ParseOptions.maxBytes`: a ~400-byte event with a long path still fits 600 times. */
  maxMessageBytes: 262_144,
  requestId: 256,
  method: 16,
  path: 8192,
  /** Same as `path`: a route is a templated path. */
  route: 8192,
  keyId: 256,
  accountId: 256,
  resourceOwner: 256,
  resourceId: 1024,
  /** Error codes and resource types are identifiers; anything longer is not one. */
  error: 256,
  resourceType: 256,
  /** The longest textual IPv6 with a zone index stays well below this. */
  clientIp: 64,
  /** User agents are truncated to this length, not rejected: clients do not control their length. */
  userAgent: 512,
  /** RFC 3339 timestamps are ~35 chars; the slack allows nanosecond fractions. */
  tsString: 64,
});

/** 2000-01-01T00:00:00Z: anything older is a unit mistake (seconds for ms) or garbage. */
export const MIN_EVENT_TS = Date.UTC(2000, 0, 1);

/** Events may come from clocks that run ahead; more than a day ahead is not clock skew. */
export const MAX_FUTURE_SKEW_MS = 86_400_000;

/**
 * How far apart the clocks of two gateways may be. A client's read-back logged by a gateway whose
 * clock lags can carry a time before the DELETE it follows: an account's successful use of an ID
 * this much after a denial still makes that ID known to the account (the rules' "known ID", the
 * reports' stale IDs), not a guess.
 */
export const GATEWAY_CLOCK_SKEW_MS = 5 * 60_000;

/** The deployments that serve traffic, unless configured otherwise. */
export const DEFAULT_ENVIRONMENTS: readonly string[] = Object.freeze([
  'production',
  'staging',
  'sandbox',
  'development',
]);
