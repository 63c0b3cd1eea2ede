import { RULE_IDS, SEVERITIES, type RuleId } from '@denyscope/alerts';
import {
  DURATION_MESSAGE,
  DurationError,
  durationRangeMessage,
  parseDuration,
} from '@denyscope/events';
import { z } from 'zod';

// The kinds of value an environment variable holds, as zod schemas of its text: every section
// (shared ones here, a service's beside its code) declares its variables with these, so a `*_MS`
// variable takes the same duration grammar and a bad value gets the same message everywhere.

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

/** A name of letters, digits and _ (a database or cluster name). */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Comma-separated values, trimmed, empty entries dropped. */
export const commaSeparated = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

export const brokers = commaSeparated.refine(
  (list) => list.length > 0 && list.every((broker) => hostPort.test(broker)),
  { message: 'expected a comma-separated list of host:port, e.g. 127.0.0.1:9092' },
);

export const url = (protocols: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const httpUrl = url(['http:', 'https:']);

/** Any text (empty counts as unset before it gets here). */
export const text = z.string().min(1);

export const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/**
 * A variable in a unit of its own (CLICKHOUSE_QUERY_TIMEOUT_S, RETENTION_DAYS): a whole number of
 * that unit only, not a duration, so `RETENTION_DAYS=90d` is refused with the unit named.
 */
export const wholeUnits = (unit: string, min: number, max: number) => {
  const message = `expected a whole number of ${unit} from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, { message })
    .transform(Number)
    .pipe(z.number().int().min(min, { message }).max(max, { message }));
};

/** What a `*_MS` variable says when its text is neither a duration nor whole milliseconds. */
export const ENV_DURATION_MESSAGE = `${DURATION_MESSAGE}, or whole milliseconds`;

/**
 * A `*_MS` variable, from `min` to `max` ms: whole milliseconds as always (`2000`), or a duration
 * of the shared grammar (`2s`) read by the parseDuration of the CLI, API and rules file.
 */
export const durationMs = (min: number, max: number) => {
  const limits = { minMs: min, maxMs: max };
  const range = `${durationRangeMessage(limits)}, or whole milliseconds from ${min} to ${max}`;
  return z.string().transform((text, ctx) => {
    let ms: number;
    try {
      ms = /^\d+$/.test(text) ? Number(text) : parseDuration(text, { minMs: 0 });
    } catch (error) {
      if (!(error instanceof DurationError)) throw error;
      ctx.addIssue({ code: 'custom', message: ENV_DURATION_MESSAGE });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: range });
      return z.NEVER;
    }
    return ms;
  });
};

export const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

export const list = commaSeparated.refine((items) => items.length > 0, {
  message: 'expected a comma-separated, non-empty list',
});

export const severity = z.enum(SEVERITIES, {
  message: `expected one of ${SEVERITIES.join(', ')}`,
});

const isRuleId = (value: string): value is RuleId =>
  (RULE_IDS as readonly string[]).includes(value);

export const ruleIds = commaSeparated
  .refine((items) => items.length > 0 && items.every(isRuleId), {
    message: `expected comma-separated rule IDs from: ${RULE_IDS.join(', ')}`,
  })
  .transform((items) => items.filter(isRuleId));
