/**
 * One API response, validated and normalized from the v1 log event (snake_case on the wire,
 * camelCase here). Optional wire fields that are absent become `null`, except `resourceOwner`,
 * whose three states carry meaning.
 */
export interface ApiEvent {
  /** Epoch milliseconds (integer). */
  ts: number;
  requestId: string;
  env: string;
  method: string;
  path: string;
  status: number;
  keyId: string | null;
  accountId: string | null;
  error: string | null;
  route: string | null;
  resourceType: string | null;
  /**
   * `resource_id` if given and non-empty, else derived from `path` (and `route`) — for every
   * event, not only denials, since success-after-deny correlation needs it on 2xx too; null if
   * no segment qualifies.
   */
  resourceId: string | null;
  /** `undefined` = the platform did not say; `null` = no such resource; string = owning account. */
  resourceOwner: string | null | undefined;
  /** The environment the resource belongs to, when the platform says so. */
  resourceEnv: string | null;
  clientIp: string | null;
  /** Truncated to `EVENT_LIMITS.userAgent` characters. */
  userAgent: string | null;
  latencyMs: number | null;
  /** `status === 403 && error === 'ownership_denied'`. */
  isDenial: boolean;
}

/**
 * `invalidClientIp`: the event had a `client_ip` that is not an IP address; `event.clientIp` is
 * null instead, and ingest counts it (the event itself is valid).
 */
export type ParseResult =
  { ok: true; event: ApiEvent; invalidClientIp?: true } | { ok: false; reason: string };

export type ParseFailure = Extract<ParseResult, { ok: false }>;
