import { z } from 'zod';

import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS, MAX_FUTURE_SKEW_MS, MIN_EVENT_TS } from './limits.js';
import { V1_FIELDS, type V1Field, type V1FieldName } from './v1-fields.js';

export interface ApiEventSchemaOptions {
  environments?: readonly string[] | undefined;
  now?: (() => number) | undefined;
}

type JsonType = V1Field['json'][number];
type JsonValue<T extends JsonType> = T extends 'string'
  ? string
  : T extends 'number'
    ? number
    : null;
type Field = (typeof V1_FIELDS)[number];
type ValueOf<F extends Field> = JsonValue<F['json'][number]>;

/** A v1 event as producers write it (snake_case), typed from V1_FIELDS. */
export type ApiEventV1 = {
  [F in Field as F['required'] extends true ? F['name'] : never]: ValueOf<F>;
} & {
  [F in Field as F['required'] extends true ? never : F['name']]?: ValueOf<F> | undefined;
};

/**
 * The value of a field beyond its JSON type and length, where the contract says more: written
 * against the spec's words, independently of the hand-written validator (zod's own RFC 3339
 * check, `Date.parse`), so that the agreement test compares two implementations, not one. A field
 * not named here is checked by its table entry alone, which is all a new plain field needs.
 */
function valueRules(opts: { environments: readonly string[]; now: () => number }) {
  const inRange = (ms: number) => ms >= MIN_EVENT_TS && ms <= opts.now() + MAX_FUTURE_SKEW_MS;
  const environment = z
    .string()
    .refine(
      (value) => opts.environments.includes(value),
      `must be one of ${opts.environments.join(', ')}`,
    );
  // As the hand-written validator: blank after String.prototype.trim is no ID (null is).
  const id = (max: number) =>
    z
      .string()
      .max(max)
      .refine((value) => value.trim() !== '', 'must not be blank (use null for none)');
  return {
    ts: z.union([
      z.iso
        .datetime({ offset: true })
        .max(EVENT_LIMITS.tsString)
        .refine((value) => inRange(Date.parse(value)), 'must be 2000-01-01 .. now + 1 day'),
      z.number().refine((value) => inRange(Math.floor(value)), 'must be 2000-01-01 .. now + 1 day'),
    ]),
    request_id: z.string().min(1).max(EVENT_LIMITS.requestId),
    env: environment,
    resource_env: environment,
    status: z.int().min(100).max(599),
    key_id: id(EVENT_LIMITS.keyId),
    account_id: id(EVENT_LIMITS.accountId),
    latency_ms: z.number().nonnegative(),
    // Any string within the limit is accepted for client_ip: one that is not an IP address
    // (net.isIP) does not reject the event, parseEvent stores null instead and ingest counts it.
    // user_agent has no maxChars: parseEvent truncates it instead of rejecting the event.
  } satisfies Partial<Record<V1FieldName, z.ZodType>>;
}

/** A field's JSON type(s) and length limit, from its table entry. */
function fromTable(field: V1Field): z.ZodType {
  const types = field.json.filter((json) => json !== 'null');
  const one = (json: JsonType): z.ZodType =>
    json === 'string'
      ? field.maxChars === undefined
        ? z.string()
        : z.string().max(field.maxChars)
      : z.number();
  const [first, ...rest] = types.map(one);
  return rest.length === 0 ? first! : z.union([first!, ...rest]);
}

/**
 * The v1 input contract as a zod schema, for documentation, producers and tests, built from
 * V1_FIELDS: each field's JSON type and length from the table, `null` where the table allows it,
 * absent where it is not required (optional fields also accept null as "absent": gateways write
 * null for missing values), and the value rules above. `parseEvent` does not use it: on the
 * ingest hot path, parse + validate with this schema took about twice as long as with the
 * hand-written validator (`bench/parse-throughput.ts`), so tests check instead that the two accept
 * and reject the same events. The schema validates the wire shape only; it does not normalize.
 */
export function createApiEventV1Schema(
  opts: ApiEventSchemaOptions = {},
): z.ZodType<ApiEventV1, unknown> {
  const rules: Partial<Record<string, z.ZodType>> = valueRules({
    environments: opts.environments ?? DEFAULT_ENVIRONMENTS,
    now: opts.now ?? Date.now,
  });
  const shape: Record<string, z.ZodType> = {};
  for (const field of V1_FIELDS as readonly V1Field[]) {
    let type = rules[field.name] ?? fromTable(field);
    if (field.json.includes('null')) type = type.nullable();
    if (!field.required) type = type.nullable().optional();
    shape[field.name] = type;
  }
  return z.object(shape) as unknown as z.ZodType<ApiEventV1, unknown>;
}

/** The v1 contract with the default environments and the real clock. */
export const apiEventV1Schema = createApiEventV1Schema();
