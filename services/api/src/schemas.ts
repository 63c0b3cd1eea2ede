import { RULE_IDS, SEVERITIES } from '@denyscope/alerts';
import { z } from 'zod';

// Input pieces shared by the routes. Every message is phrased as "what was expected", because the
// client sees `<field>: <message>`.

export const rfc3339 = z.iso.datetime({
  offset: true,
  message: 'expected an RFC 3339 date-time, e.g. 2026-11-27T10:00:00Z',
});

export const ruleId = z.enum(RULE_IDS, { message: `expected one of ${RULE_IDS.join(', ')}` });
export const severity = z.enum(SEVERITIES, { message: `expected one of ${SEVERITIES.join(', ')}` });
export const alertStatus = z.enum(['firing', 'resolved'], {
  message: 'expected firing or resolved',
});

/** Key IDs, account IDs, IPs and alert IDs: opaque strings, bounded. */
export const identifier = z
  .string({ message: 'expected a string' })
  .min(1, { message: 'expected a non-empty string' })
  .max(256, { message: 'expected at most 256 characters' });

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
