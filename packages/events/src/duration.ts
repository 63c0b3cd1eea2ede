import { z } from 'zod';

// The one duration grammar of denyscope: the CLI's options, the API's query and body fields, the
// rules file and the `*_MS` environment variables all go through parseDuration or durationSchema,
// so `250ms` means the same and a mistake reads the same everywhere. (The variables also keep
// taking a bare whole number of milliseconds, as they always did: packages/config's variables.ts.)
//
// Not the `ms` package: it also takes `1.5h`, `2 days`, `-1h`, `1y` and a bare `100` (ms), which
// would make a rules file's `windowMinutes: 90` ambiguous and the API's accepted inputs much wider
// than its OpenAPI pattern could say. One integer and one unit is all the surfaces need.

/** Milliseconds per unit. */
export const DURATION_UNITS_MS: Readonly<Record<'ms' | 's' | 'm' | 'h' | 'd', number>> =
  Object.freeze({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 });

/** A whole number of 1 to 9 digits and a unit, nothing else (no spaces, signs or decimals). */
export const DURATION_PATTERN = /^(\d{1,9})(ms|s|m|h|d)$/;

/** What every surface says when a text is not a duration. */
export const DURATION_MESSAGE = 'expected a duration like 250ms, 30s, 5m, 24h or 7d';

/** The range a caller accepts; each bound in milliseconds with the text shown in messages. */
export interface DurationLimits {
  /** Default 1 ms: more than zero. */
  minMs?: number;
  minText?: string;
  maxMs?: number;
  maxText?: string;
}

/** A text that is not a duration, or one out of its caller's range. */
export class DurationError extends RangeError {
  override readonly name = 'DurationError';
}

/**
 * Whole milliseconds in the grammar, with the largest unit that keeps the number whole:
 * 3600000 → `1h`, 90000 → `90s`, 1500 → `1500ms`, 0 → `0ms`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not whole milliseconds: ${ms}`);
  if (ms === 0) return '0ms';
  const units = Object.entries(DURATION_UNITS_MS).sort(([, a], [, b]) => b - a);
  const [unit, size] = units.find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

/**
 * The message for a duration out of range, e.g. `expected a duration from 1m to 24h`; a minimum
 * of 1 ms reads "more than zero", one of 0 "from 0ms to …". Unset texts are formatDuration's.
 */
export function durationRangeMessage(limits: DurationLimits): string {
  const { minMs = 1, minText, maxMs, maxText } = limits;
  const max = maxMs === undefined ? '' : (maxText ?? formatDuration(maxMs));
  if (minMs > 0 && minMs <= 1) {
    return `expected a duration more than zero${max === '' ? '' : ` and at most ${max}`}`;
  }
  const min = minText ?? formatDuration(minMs);
  return max === ''
    ? `expected a duration of at least ${min}`
    : `expected a duration from ${min} to ${max}`;
}

function inRange(ms: number, limits: DurationLimits): boolean {
  return ms >= (limits.minMs ?? 1) && (limits.maxMs === undefined || ms <= limits.maxMs);
}

/** `250ms`, `90s`, `5m`, `24h`, `7d` → milliseconds; throws DurationError with the shared text. */
export function parseDuration(text: string, limits: DurationLimits = {}): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new DurationError(DURATION_MESSAGE);
  const ms = Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
  if (!inRange(ms, limits)) throw new DurationError(durationRangeMessage(limits));
  return ms;
}

/**
 * parseDuration as a zod schema: a string in, milliseconds out. Its input side keeps the
 * pattern, so an OpenAPI document generated from it shows the grammar.
 */
export function durationSchema(limits: DurationLimits = {}) {
  return z
    .string({ message: DURATION_MESSAGE })
    .regex(DURATION_PATTERN, { message: DURATION_MESSAGE })
    .transform((text) => parseDuration(text, { minMs: 0 }))
    .refine((ms) => inRange(ms, limits), { message: durationRangeMessage(limits) });
}
