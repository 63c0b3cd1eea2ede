import { RULE_IDS, SEVERITIES } from '@denyscope/alerts';
import { EVENT_LIMITS, MIN_EVENT_TS } from '@denyscope/events';
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

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DAY_MS = 86_400_000;

/** `90s`, `15m`, `24h`, `7d` → milliseconds, more than zero and at most `maxMs`. */
export function duration(maxMs: number, maxText: string) {
  return z
    .string()
    .regex(/^\d{1,9}[smhd]$/, { message: 'expected a duration like 30m, 24h or 7d' })
    .transform((text) => Number(text.slice(0, -1)) * (UNIT_MS[text.slice(-1)] ?? 0))
    .refine((ms) => ms > 0 && ms <= maxMs, {
      message: `expected a duration more than zero and at most ${maxText}`,
    });
}

export const unixSeconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
export const isoOfUnix = (seconds: number) => new Date(seconds * 1000).toISOString();

export const errorBody = z.object({ error: z.string(), message: z.string() });
