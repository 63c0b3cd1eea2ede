/**
 * One seeded run of traffic: the world, every labelled episode and every key's background
 * traffic simulated together, written by the gateways, with duplicates and bad lines mixed in,
 * ordered by arrival. Deterministic per options: the same seed gives the same lines.
 */
import { keyBackground } from './background.js';
import { EPISODE_CLASSES, CLASS_IDS } from './episodes/catalog.js';
import { EpisodeContext } from './episodes/context.js';
import { GatewayWriter, type Line } from './gateways.js';
import type { Label } from './labels.js';
import { DEFAULT_NOISE, Noise, type NoiseOptions } from './noise.js';
import { buildWorld } from './populate.js';
import { fork } from './random.js';
import { Simulation } from './simulation.js';

export interface TrafficOptions {
  seed: number;
  hours: number;
  accounts: number;
  /** Default: a fixed time in the past that depends on the seed (defaultStart). */
  startMs?: number;
  /** Background requests per hour of an account of weight 1 (mean weight ≈ 1.8). Default 110. */
  perAccountPerHour?: number;
  /** Default: episodesPerClass(hours, kind). */
  attacksPerClass?: number;
  benignPerClass?: number;
  noise?: Partial<NoiseOptions>;
}

export interface Traffic {
  seed: number;
  startMs: number;
  endMs: number;
  lines: Line[];
  labels: Label[];
}

const HOUR = 3_600_000;

/**
 * A Monday morning in March 2026 plus a seed-dependent offset, so that episodes straddle minute
 * and window boundaries differently per seed. In the past: the contract refuses events more than
 * a day ahead of the reader's clock.
 */
export function defaultStart(seed: number): number {
  return Date.UTC(2026, 2, 2, 6, 0, 0) + ((seed >>> 0) % 97) * 7 * 60_000 + 13_000;
}

/** Several attacks per class in a default run; at least one of every class in a short one. */
export function episodesPerClass(hours: number, kind: 'attack' | 'benign'): number {
  if (hours < 1) return 1;
  return kind === 'attack' ? Math.max(2, Math.ceil(hours)) : 2;
}

interface Tally {
  keys: Set<string>;
  accounts: Set<string>;
  ips: Set<string>;
  first: number;
  last: number;
  events: number;
}

export function generateTraffic(options: TrafficOptions): Traffic {
  const { seed, hours, accounts } = options;
  if (!(hours > 0) || !(accounts >= 20)) {
    throw new RangeError('generateTraffic: hours must be > 0 and accounts ≥ 20');
  }
  const startMs = options.startMs ?? defaultStart(seed);
  const endMs = startMs + Math.round(hours * HOUR);
  const world = buildWorld(seed, {
    accounts,
    startMs,
    perAccountPerHour: options.perAccountPerHour ?? 110,
  });
  const writer = new GatewayWriter(fork(seed, 'gateways'), startMs);
  const noise = new Noise(fork(seed, 'noise'), { ...DEFAULT_NOISE, ...options.noise });
  const lines: Line[] = [];
  const sim = new Simulation((response) => {
    const line = writer.write(response);
    lines.push(line, ...noise.after(line));
  });

  // Episodes first: they take their accounts and keys before background traffic starts.
  const contexts: { ctx: EpisodeContext; classId: (typeof CLASS_IDS)[number] }[] = [];
  for (const classId of CLASS_IDS) {
    const cls = EPISODE_CLASSES[classId];
    const count =
      (cls.kind === 'attack' ? options.attacksPerClass : options.benignPerClass) ??
      episodesPerClass(hours, cls.kind);
    for (let i = 1; i <= count; i += 1) {
      const id = `s${seed}-${classId}-${i}`;
      const ctx = new EpisodeContext(id, fork(seed, id), world, sim, startMs, endMs);
      sim.spawn(cls.build(ctx));
      contexts.push({ ctx, classId });
    }
  }
  for (const account of world.accounts) {
    if (account.throwaway) continue;
    for (const key of account.keys) {
      sim.spawn(keyBackground(sim, world, fork(seed, `bg:${key.id}`), key, startMs, endMs));
    }
  }
  sim.run();

  // Stable sort: lines arriving at the same millisecond keep the order they were written in.
  lines.sort((a, b) => a.arrival - b.arrival);

  const tallies = new Map<string, Tally>();
  for (const line of lines) {
    if (line.kind !== 'event' || line.episode === null || line.ts === null) continue;
    let tally = tallies.get(line.episode);
    if (tally === undefined) {
      tally = {
        keys: new Set(),
        accounts: new Set(),
        ips: new Set(),
        first: Infinity,
        last: -Infinity,
        events: 0,
      };
      tallies.set(line.episode, tally);
    }
    const event = JSON.parse(line.text) as {
      key_id: string | null;
      account_id: string | null;
      client_ip: string;
    };
    if (event.key_id !== null) tally.keys.add(event.key_id);
    if (event.account_id !== null) tally.accounts.add(event.account_id);
    tally.ips.add(event.client_ip);
    tally.first = Math.min(tally.first, line.ts);
    tally.last = Math.max(tally.last, line.ts);
    tally.events += 1;
  }

  const labels: Label[] = contexts.map(({ ctx, classId }) => {
    const cls = EPISODE_CLASSES[classId];
    const tally = tallies.get(ctx.id);
    if (tally === undefined) throw new Error(`${ctx.id}: the episode produced no events`);
    return {
      id: ctx.id,
      kind: cls.kind,
      class: classId,
      expected_rule: cls.expectedRule,
      expected_to_page: cls.kind === 'attack',
      subjects: {
        key_ids: [...tally.keys].sort(),
        account_ids: [...tally.accounts].sort(),
        // A network episode is named by its network; the others by the addresses they used.
        client_ips: ctx.networks.length > 0 ? [...ctx.networks] : [...tally.ips].sort(),
      },
      start: new Date(tally.first).toISOString(),
      end: new Date(tally.last).toISOString(),
      events: tally.events,
      params: ctx.params,
    };
  });
  return { seed, startMs, endMs, lines, labels };
}
