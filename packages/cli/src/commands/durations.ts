import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `5m`, `24h`, `7d`, `250ms` into milliseconds; for command-line options. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match)
    throw new InvalidArgumentError(`expected a duration like 30s, 5m, 24h or 7d (got "${text}")`);
  const value = Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
  if (value <= 0) throw new InvalidArgumentError('the duration must be more than zero');
  return value;
}
