import { isIP } from 'node:net';

import type { ApiEvent, ParseResult } from './api-event.js';
import { deriveResourceId } from './derive-resource-id.js';
import { EVENT_LIMITS, MAX_FUTURE_SKEW_MS, MIN_EVENT_TS } from './limits.js';
import { parseRfc3339 } from './rfc3339.js';

/** A failed field; a class so that a field read is one `instanceof` away from its value. */
class Invalid {
  constructor(readonly reason: string) {}
}

type Fields = Record<string, unknown>;

/** The JSON type of a value, for "got …" in reasons. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Untrusted text in a reason: bounded, and JSON-quoted so control characters show escaped. */
function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/** What a string field got instead: the wrong type, or the wrong length. */
function stringDetail(value: unknown): string {
  if (typeof value !== 'string') return jsonType(value);
  return value.length === 0 ? 'empty string' : `${value.length} chars`;
}

/** What a number field got instead: the wrong type, or the offending value. */
function numberDetail(value: unknown): string {
  return typeof value === 'number' ? String(value) : jsonType(value);
}

function missing(field: string): Invalid {
  return new Invalid(`missing required field: ${field}`);
}

function expected(field: string, what: string, detail: string): Invalid {
  return new Invalid(`${field}: expected ${what}, got ${detail}`);
}

function stringRule(max: number, min: number): string {
  const kind = min > 0 ? 'non-empty string' : 'string';
  return max === Infinity ? kind : `${kind} of at most ${max} chars`;
}

// Helpers take the value, not the object and a key: a named load in the caller stays
// monomorphic, a keyed load inside a shared helper goes megamorphic and costs far more.

function requiredString(value: unknown, field: string, max: number, min = 0): string | Invalid {
  if (typeof value === 'string' && value.length >= min && value.length <= max) return value;
  if (value === undefined) return missing(field);
  return expected(field, stringRule(max, min), stringDetail(value));
}

function requiredNullableString(
  value: unknown,
  field: string,
  max: number,
): string | null | Invalid {
  if (value === null || (typeof value === 'string' && value.length <= max)) return value;
  if (value === undefined) return missing(field);
  return expected(field, `${stringRule(max, 0)} or null`, stringDetail(value));
}

// Gateways often write `null` for a field they have no value for; for these optional fields that
// means the same as leaving it out, and dead-lettering such events would hide real traffic.
function optionalString(value: unknown, field: string, max: number): string | undefined | Invalid {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.length <= max) return value;
  return expected(field, `${stringRule(max, 0)} or null`, stringDetail(value));
}

/** Absent and null stay apart (undefined vs null): for resource_owner they mean different things. */
function optionalNullableString(
  value: unknown,
  field: string,
  max: number,
): string | null | undefined | Invalid {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string' && value.length <= max) return value;
  return expected(field, `${stringRule(max, 0)} or null`, stringDetail(value));
}

/**
 * A key or account ID that is blank after trimming names nobody: it would be grouped, reported and
 * paged on as one more "account" (a report cannot even be built for it). `null` is the contract's
 * way to say "none", so a blank ID is a gateway bug and goes to the dead-letter topic.
 */
function notBlank(value: string | null | Invalid, field: string): string | null | Invalid {
  if (typeof value !== 'string' || value.trim() !== '') return value;
  const shown = value === '' ? 'empty string' : `blank string ${quote(value)}`;
  return new Invalid(`${field}: expected a non-blank string or null, got ${shown}`);
}

/** What clientAddress returns for a value that is not an address (one instance: compared by identity). */
const INVALID_CLIENT_IP = new Invalid('client_ip: not an IP address');

/**
 * `client_ip` as stored: an IPv4 or IPv6 address (`net.isIP`, surrounding whitespace trimmed), or
 * null. Anything else (`unknown`, an X-Forwarded-For list, a forged string) is not dead-lettered
 * (the event is still real traffic) but becomes null and is flagged, so ingest counts it
 * (`denyscope.ingest.invalid_client_ip`): otherwise every distinct string would be a subject of its
 * own for distributed-enumeration. A blank value is a gateway saying "none", like null: not
 * counted.
 */
function clientAddress(value: string | undefined): string | null | Invalid {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  return isIP(trimmed) === 0 ? INVALID_CLIENT_IP : trimmed;
}

function environment(
  field: string,
  value: string,
  environments: readonly string[],
): string | Invalid {
  if (environments.includes(value)) return value;
  return new Invalid(`${field}: ${quote(value)} is not one of ${environments.join(', ')}`);
}

function timestamp(value: unknown, nowMs: number): number | Invalid {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return expected('ts', 'finite epoch milliseconds', String(value));
    // Sub-millisecond fractions are dropped, as for RFC 3339 strings: ts is integer ms.
    ms = Math.floor(value);
  } else if (typeof value === 'string') {
    ms = value.length <= EVENT_LIMITS.tsString ? parseRfc3339(value) : NaN;
    if (Number.isNaN(ms)) {
      return new Invalid(
        `ts: ${quote(value)} is not an RFC 3339 date-time with offset (e.g. 2024-05-01T12:00:00.000Z)`,
      );
    }
  } else if (value === undefined) {
    return missing('ts');
  } else {
    return expected('ts', 'RFC 3339 string or epoch milliseconds', jsonType(value));
  }
  if (ms < MIN_EVENT_TS) {
    // The usual cause is epoch seconds where milliseconds were meant.
    const ifSeconds = typeof value === 'number' ? value * 1000 : NaN;
    const hint =
      ifSeconds >= MIN_EVENT_TS && ifSeconds <= nowMs + MAX_FUTURE_SKEW_MS
        ? ' (epoch seconds?)'
        : '';
    return new Invalid(`ts: ${String(value)} is before 2000-01-01${hint}`);
  }
  if (ms > nowMs + MAX_FUTURE_SKEW_MS) {
    // Date cannot represent more than 8.64e15 ms (toISOString would throw): show those raw.
    const shown = ms <= 8.64e15 ? new Date(ms).toISOString() : String(value);
    return new Invalid(`ts: ${shown} is more than 1 day in the future`);
  }
  return ms;
}

function status(value: unknown): number | Invalid {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) {
    return value;
  }
  if (value === undefined) return missing('status');
  return expected('status', 'integer 100-599', numberDetail(value));
}

function latency(value: unknown): number | null | Invalid {
  if (typeof value === 'number' && value >= 0 && value !== Infinity) return value;
  if (value === undefined || value === null) return null;
  return expected('latency_ms', 'finite number >= 0 or null', numberDetail(value));
}

function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  // Never cut a surrogate pair in half: that would make the string invalid UTF-16.
  const last = value.charCodeAt(max - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * Validates a parsed JSON object against the v1 contract and builds the normalized event field by
 * field (never by copying the object, which may carry own `__proto__`/`constructor` keys).
 * Reports the first failing field, in contract order. Unknown fields are never read.
 */
export function validateFields(
  fields: Fields,
  environments: readonly string[],
  nowMs: number,
): ParseResult {
  const ts = timestamp(fields.ts, nowMs);
  if (ts instanceof Invalid) return { ok: false, reason: ts.reason };
  const requestId = requiredString(fields.request_id, 'request_id', EVENT_LIMITS.requestId, 1);
  if (requestId instanceof Invalid) return { ok: false, reason: requestId.reason };
  const envValue = requiredString(fields.env, 'env', Infinity);
  if (envValue instanceof Invalid) return { ok: false, reason: envValue.reason };
  const env = environment('env', envValue, environments);
  if (env instanceof Invalid) return { ok: false, reason: env.reason };
  const method = requiredString(fields.method, 'method', EVENT_LIMITS.method);
  if (method instanceof Invalid) return { ok: false, reason: method.reason };
  const path = requiredString(fields.path, 'path', EVENT_LIMITS.path);
  if (path instanceof Invalid) return { ok: false, reason: path.reason };
  const statusCode = status(fields.status);
  if (statusCode instanceof Invalid) return { ok: false, reason: statusCode.reason };
  const keyId = notBlank(
    requiredNullableString(fields.key_id, 'key_id', EVENT_LIMITS.keyId),
    'key_id',
  );
  if (keyId instanceof Invalid) return { ok: false, reason: keyId.reason };
  const accountId = notBlank(
    requiredNullableString(fields.account_id, 'account_id', EVENT_LIMITS.accountId),
    'account_id',
  );
  if (accountId instanceof Invalid) return { ok: false, reason: accountId.reason };

  const error = optionalNullableString(fields.error, 'error', EVENT_LIMITS.error);
  if (error instanceof Invalid) return { ok: false, reason: error.reason };
  const route = optionalString(fields.route, 'route', EVENT_LIMITS.route);
  if (route instanceof Invalid) return { ok: false, reason: route.reason };
  const resourceType = optionalString(
    fields.resource_type,
    'resource_type',
    EVENT_LIMITS.resourceType,
  );
  if (resourceType instanceof Invalid) return { ok: false, reason: resourceType.reason };
  const resourceId = optionalString(fields.resource_id, 'resource_id', EVENT_LIMITS.resourceId);
  if (resourceId instanceof Invalid) return { ok: false, reason: resourceId.reason };
  const resourceOwner = optionalNullableString(
    fields.resource_owner,
    'resource_owner',
    EVENT_LIMITS.resourceOwner,
  );
  if (resourceOwner instanceof Invalid) return { ok: false, reason: resourceOwner.reason };
  let resourceEnv = optionalNullableString(fields.resource_env, 'resource_env', Infinity);
  if (resourceEnv instanceof Invalid) return { ok: false, reason: resourceEnv.reason };
  if (typeof resourceEnv === 'string') {
    // Compared with `env` by the cross-environment rule, so it must name a known environment.
    resourceEnv = environment('resource_env', resourceEnv, environments);
    if (resourceEnv instanceof Invalid) return { ok: false, reason: resourceEnv.reason };
  }
  const clientIpValue = optionalString(fields.client_ip, 'client_ip', EVENT_LIMITS.clientIp);
  if (clientIpValue instanceof Invalid) return { ok: false, reason: clientIpValue.reason };
  const clientIp = clientAddress(clientIpValue);
  const userAgent = optionalString(fields.user_agent, 'user_agent', Infinity);
  if (userAgent instanceof Invalid) return { ok: false, reason: userAgent.reason };
  const latencyMs = latency(fields.latency_ms);
  if (latencyMs instanceof Invalid) return { ok: false, reason: latencyMs.reason };

  const routeOrNull = route ?? null;
  const event: ApiEvent = {
    ts,
    requestId,
    env,
    method,
    path,
    status: statusCode,
    keyId,
    accountId,
    error: error ?? null,
    route: routeOrNull,
    resourceType: resourceType ?? null,
    // An empty resource_id names nothing, so it is derived like an absent one. Derived for every
    // event, not only denials: it is cheap next to JSON.parse, and an event's resourceId should
    // not depend on its status (foreign-access-success looks at 2xx).
    resourceId: resourceId ? resourceId : deriveResourceId(path, routeOrNull),
    resourceOwner,
    resourceEnv: resourceEnv ?? null,
    clientIp: clientIp instanceof Invalid ? null : clientIp,
    userAgent: userAgent === undefined ? null : truncate(userAgent, EVENT_LIMITS.userAgent),
    latencyMs,
    isDenial: statusCode === 403 && error === 'ownership_denied',
  };
  return clientIp === INVALID_CLIENT_IP
    ? { ok: true, event, invalidClientIp: true }
    : { ok: true, event };
}
