import { RULE_IDS, SEVERITIES } from '@denyscope/alerts';
import { durationSchema, EVENT_LIMITS, MIN_EVENT_TS } from '@denyscope/events';
import { z } from 'zod';

// Input pieces shared by the routes. Every message is phrased as "what was expected", because the
// client sees `<field>: <message>`.

export const rfc3339 = z.iso.datetime({
  offset: true,
  message: 'expected an RFC 3339 date-time, e.g. 2026-11-27T10:00:00Z',
});

const isoText = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The times a query may name. No event is older than the contract's MIN_EVENT_TS, and ClickHouse's
 * DateTime (seconds as UInt32) cannot hold one before 1970 or after 2106: outside this range a
 * query would fail (a 500) or wrap around, so the client gets a 400 naming the range instead.
 */
export const TIME_RANGE = Object.freeze({ minMs: MIN_EVENT_TS, maxMs: Date.UTC(2100, 0, 1) });
export const TIME_RANGE_MESSAGE = `expected a time from ${isoText(TIME_RANGE.minMs)} to ${isoText(TIME_RANGE.maxMs)}`;
export const inTimeRange = (ms: number) => ms >= TIME_RANGE.minMs && ms <= TIME_RANGE.maxMs;

/** An RFC 3339 time within TIME_RANGE. */
export const time = rfc3339.refine((iso) => inTimeRange(Date.parse(iso)), {
  message: TIME_RANGE_MESSAGE,
});

export const ruleId = z.enum(RULE_IDS, { message: `expected one of ${RULE_IDS.join(', ')}` });
export const severity = z.enum(SEVERITIES, { message: `expected one of ${SEVERITIES.join(', ')}` });
export const alertStatus = z.enum(['firing', 'resolved'], {
  message: 'expected firing or resolved',
});

/**
 * The longest account or key ID the event contract admits, so every ID the detector stored can be
 * asked for. Also Fastify's maxParamLength (build-api.ts), which counts decoded characters.
 */
export const MAX_ID_LENGTH = Math.max(EVENT_LIMITS.accountId, EVENT_LIMITS.keyId);
export const ID_LENGTH_MESSAGE = `expected at most ${MAX_ID_LENGTH} characters`;

/** Key IDs, account IDs, IPs and alert IDs: opaque strings, bounded. */
export const identifier = z
  .string({ message: 'expected a string' })
  .min(1, { message: 'expected a non-empty string' })
  .max(MAX_ID_LENGTH, { message: ID_LENGTH_MESSAGE });

export const DAY_MS = 86_400_000;

/**
 * `250ms`, `90s`, `15m`, `24h`, `7d` → milliseconds, more than zero and at most `maxMs`: the
 * grammar and messages of the CLI and the rules file (docs/durations.md).
 */
export function duration(maxMs: number, maxText: string) {
  return durationSchema({ maxMs, maxText });
}

export const unixSeconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
export const isoOfUnix = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Every error body: RFC 9457 problem details (problem.ts), as the OpenAPI document states it. */
export const problemBody = z
  .object({
    type: z.string().meta({
      format: 'uri',
      description: 'https://denyscope.dev/problems/<error>, or about:blank (docs/api.md#errors)',
    }),
    title: z.string().meta({ description: 'the same for every problem of this type' }),
    status: z.number().int().min(400).max(599),
    detail: z.string().meta({ description: 'what went wrong this time; for a 400 `<field>: …`' }),
    instance: z.string().meta({ description: 'the request path' }),
    error: z.string().meta({ description: 'the stable word of `type`, e.g. `rate_limited`' }),
    message: z.string().meta({ description: 'the same as `detail` (earlier clients read it)' }),
  })
  .meta({ description: 'RFC 9457 problem details, with `error` and `message` as extensions' });
