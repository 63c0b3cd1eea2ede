import { parseDuration } from '../commands/durations.js';

export type SimulateTarget = 'kafka' | 'file';

export interface SimulateOptions {
  rate: number;
  /** Wall-clock run time; `null` runs until SIGINT/SIGTERM. */
  durationMs: number | null;
  to: SimulateTarget;
  /** NDJSON file for `to: 'file'`; `-` is stdout. */
  out: string;
  seed: number;
  attackEveryMs: number;
}

/** The options as commander hands them over: strings, unparsed. */
export interface RawSimulateOptions {
  rate?: string | undefined;
  duration?: string | undefined;
  to?: string | undefined;
  out?: string | undefined;
  seed?: string | undefined;
  attackEvery?: string | undefined;
}

export const MAX_RATE = 1_000_000;
/** The first attack round starts this long after the simulator, so a demo sees alerts fast. */
export const FIRST_ATTACK_AFTER_MS = 5_000;

export type ParsedOptions =
  { ok: true; options: SimulateOptions } | { ok: false; errors: string[] };

function duration(name: string, text: string, errors: string[]): number | null {
  try {
    return parseDuration(text);
  } catch (error) {
    errors.push(`${name}: ${(error as Error).message}`);
    return null;
  }
}

/**
 * Validates every option at once, so one run names every mistake. `defaultRate` comes from
 * SIMULATE_RATE; `randomSeed` is used when `--seed` is not given (and is printed, to replay a run).
 */
export function parseSimulateOptions(
  raw: RawSimulateOptions,
  defaultRate: number,
  randomSeed: number,
): ParsedOptions {
  const errors: string[] = [];
  let rate = defaultRate;
  if (raw.rate !== undefined) {
    rate = /^\d+$/.test(raw.rate) ? Number(raw.rate) : Number.NaN;
    if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE) {
      errors.push(
        `--rate: expected events per second, a whole number from 1 to ${MAX_RATE} (got "${raw.rate}")`,
      );
    }
  }
  const durationMs =
    raw.duration === undefined ? null : duration('--duration', raw.duration, errors);
  const attackEveryMs =
    raw.attackEvery === undefined
      ? 180_000
      : (duration('--attack-every', raw.attackEvery, errors) ?? 0);
  if (raw.attackEvery !== undefined && attackEveryMs > 0 && attackEveryMs < 1_000) {
    errors.push('--attack-every: must be at least 1s');
  }
  let to: SimulateTarget = raw.out === undefined ? 'kafka' : 'file';
  if (raw.to !== undefined) {
    if (raw.to === 'kafka' || raw.to === 'file') to = raw.to;
    else errors.push(`--to: expected kafka or file (got "${raw.to}")`);
  }
  if (to === 'kafka' && raw.out !== undefined) {
    errors.push('--out: only with --to file (Kafka takes KAFKA_BROKERS and KAFKA_TOPIC)');
  }
  if (raw.out === '') errors.push('--out: expected a file name, or - for stdout');
  let seed = randomSeed;
  if (raw.seed !== undefined) {
    seed = /^\d+$/.test(raw.seed) ? Number(raw.seed) : Number.NaN;
    if (!Number.isSafeInteger(seed) || seed > 0xffff_ffff) {
      errors.push(`--seed: expected a whole number from 0 to ${0xffff_ffff} (got "${raw.seed}")`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    options: { rate, durationMs, to, out: raw.out ?? '-', seed, attackEveryMs },
  };
}
