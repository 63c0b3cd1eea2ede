// The scenario generators live in the test kit for now; they should move to a non-test package
// (e.g. @denyscope/scenarios) once the simulator is more than a demo tool.
import {
  backgroundTraffic,
  crossEnvironmentStagingIdsInProduction,
  idEnumerationSequential,
  seededRandom,
  type GeneratedEvent,
  type LabelledScenario,
} from '@denyscope/scenarios';

export interface TrafficPlanOptions {
  /** Background events per second of plan time. */
  rate: number;
  seed: number;
  /** Plan time of the first event (the simulator's start, ms since the epoch). */
  startMs: number;
  firstAttackAfterMs: number;
  /** Gap between attack rounds; 0 injects a single round. */
  attackEveryMs: number;
}

export interface PlannedEvent {
  event: GeneratedEvent;
  /** Set on the first event of an injected scenario: announce it when this event goes out. */
  injects?: LabelledScenario;
}

/** The scan walks its 120 IDs in 90 s, so it crosses the 5-minute threshold (50) ~40 s in. */
const SCAN_SPAN_MS = 90_000;
const LEAK_SPAN_MS = 120_000;
const LEAK_DELAY_MS = 5_000;
/** Events held in memory per background window. */
const WINDOW_EVENTS = 20_000;

/** A 32-bit seed per window or round, derived from the run's seed (murmur3 finaliser). */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * An endless, ordered stream of v1 events in plan time: background traffic of many accounts and
 * keys (generated window by window, so memory stays bounded; each window has its own accounts)
 * with one ID scan and one cross-environment leak injected every `attackEveryMs`. The same seed
 * gives the same stream. The simulator paces it and re-stamps `ts` with the wall clock.
 */
export class TrafficPlan {
  readonly windowMs: number;
  private buffer: PlannedEvent[] = [];
  private position = 0;
  private window = 0;
  private round = 0;
  /** Attack events planned beyond the current window, sorted by `ts`. */
  private future: PlannedEvent[] = [];

  constructor(private readonly options: TrafficPlanOptions) {
    this.windowMs = Math.min(
      60_000,
      Math.max(250, Math.round((WINDOW_EVENTS * 1000) / options.rate)),
    );
  }

  /** The next `n` events. */
  next(n: number): PlannedEvent[] {
    const out: PlannedEvent[] = [];
    while (out.length < n) {
      if (this.position >= this.buffer.length) this.fill();
      const take = Math.min(n - out.length, this.buffer.length - this.position);
      for (let i = 0; i < take; i += 1) {
        const planned = this.buffer[this.position + i];
        if (planned !== undefined) out.push(planned);
      }
      this.position += take;
    }
    return out;
  }

  private roundStart(round: number): number | null {
    const { startMs, firstAttackAfterMs, attackEveryMs } = this.options;
    if (round > 0 && attackEveryMs <= 0) return null;
    return startMs + firstAttackAfterMs + round * attackEveryMs;
  }

  private attackRound(round: number, startMs: number): LabelledScenario[] {
    const random = seededRandom(deriveSeed(this.options.seed, 2 * round + 1));
    return [
      idEnumerationSequential(
        { random, startMs, durationMs: SCAN_SPAN_MS + 1 },
        { spanMs: SCAN_SPAN_MS },
      ),
      crossEnvironmentStagingIdsInProduction(
        { random, startMs: startMs + LEAK_DELAY_MS, durationMs: LEAK_SPAN_MS + 1 },
        { spanMs: LEAK_SPAN_MS },
      ),
    ];
  }

  private fill(): void {
    const { rate, seed, startMs } = this.options;
    const from = startMs + this.window * this.windowMs;
    const to = from + this.windowMs;
    for (let start = this.roundStart(this.round); start !== null && start < to;) {
      for (const scenario of this.attackRound(this.round, start)) {
        scenario.events.forEach((event, i) => {
          this.future.push(i === 0 ? { event, injects: scenario } : { event });
        });
      }
      this.future.sort((a, b) => a.event.ts - b.event.ts);
      this.round += 1;
      start = this.roundStart(this.round);
    }
    const background = backgroundTraffic(
      {
        random: seededRandom(deriveSeed(seed, 2 * this.window)),
        startMs: from,
        durationMs: this.windowMs,
      },
      {
        accounts: Math.min(200, Math.max(20, Math.round(rate / 25))),
        keysPerAccount: 2,
        eventsPerSecond: rate,
      },
    );
    let due = 0;
    while (due < this.future.length && (this.future[due]?.event.ts ?? to) < to) due += 1;
    const attacks = this.future.splice(0, due);
    const merged: PlannedEvent[] = background.events.map((event) => ({ event }));
    merged.push(...attacks);
    // Stable sort: ties keep background first, then attack order.
    merged.sort((a, b) => a.event.ts - b.event.ts);
    this.buffer = merged;
    this.position = 0;
    this.window += 1;
  }
}
