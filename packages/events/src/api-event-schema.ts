import { z } from 'zod';

import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS, MAX_FUTURE_SKEW_MS, MIN_EVENT_TS } from './limits.js';

export interface ApiEventSchemaOptions {
  environments?: readonly string[] | undefined;
  now?: (() => number) | undefined;
}

/**
 * The v1 input contract as a zod schema, for documentation, producers and tests. `parseEvent`
 * does not use it: on the ingest hot path, parse + validate with this schema took about twice
 * as long as with the hand-written validator (`bench/parse-throughput.ts`), so tests check
 * instead that the two accept and reject the same events. The schema validates the wire shape
 * only; it does not normalize.
 *
 * Written independently of the hand-written validator on purpose (zod's own RFC 3339 check,
 * `Date.parse`), so that the agreement test compares two implementations, not one.
 */
export function createApiEventV1Schema(opts: ApiEventSchemaOptions = {}) {
  const environments = opts.environments ?? DEFAULT_ENVIRONMENTS;
  const now = opts.now ?? Date.now;
  const inRange = (ms: number) => ms >= MIN_EVENT_TS && ms <= now() + MAX_FUTURE_SKEW_MS;
  // As the hand-written validator: blank after String.prototype.trim is no ID (null is).
  const id = (max: number) =>
    z
      .string()
      .max(max)
      .refine((value) => value.trim() !== '', 'must not be blank (use null for none)')
      .nullable();
  const environment = z
    .string()
    .refine((value) => environments.includes(value), `must be one of ${environments.join(', ')}`);

  return z.object({
    ts: z.union([
      z.iso
        .datetime({ offset: true })
        .max(EVENT_LIMITS.tsString)
        .refine((value) => inRange(Date.parse(value)), 'must be 2000-01-01 .. now + 1 day'),
      z.number().refine((value) => inRange(Math.floor(value)), 'must be 2000-01-01 .. now + 1 day'),
    ]),
    request_id: z.string().min(1).max(EVENT_LIMITS.requestId),
    env: environment,
    method: z.string().max(EVENT_LIMITS.method),
    path: z.string().max(EVENT_LIMITS.path),
    status: z.int().min(100).max(599),
    key_id: id(EVENT_LIMITS.keyId),
    account_id: id(EVENT_LIMITS.accountId),
    error: z.string().max(EVENT_LIMITS.error).nullable().optional(),
    route: z.string().max(EVENT_LIMITS.route).nullable().optional(),
    resource_type: z.string().max(EVENT_LIMITS.resourceType).nullable().optional(),
    resource_id: z.string().max(EVENT_LIMITS.resourceId).nullable().optional(),
    resource_owner: z.string().max(EVENT_LIMITS.resourceOwner).nullable().optional(),
    resource_env: environment.nullable().optional(),
    // Any string within the limit is accepted: one that is not an IP address (net.isIP) does not
    // reject the event, parseEvent stores null instead and ingest counts it.
    client_ip: z.string().max(EVENT_LIMITS.clientIp).nullable().optional(),
    // Optional fields accept null as "absent" (gateways write null for missing values).
    // Not bounded: parseEvent truncates it instead of rejecting the event.
    user_agent: z.string().nullable().optional(),
    latency_ms: z.number().nonnegative().nullable().optional(),
  });
}

/** The v1 contract with the default environments and the real clock. */
export const apiEventV1Schema = createApiEventV1Schema();

/** A v1 event as producers write it (snake_case). */
export type ApiEventV1 = z.infer<typeof apiEventV1Schema>;
