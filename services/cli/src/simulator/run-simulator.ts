import type { GeneratedEvent, LabelledScenario } from '@denyscope/scenarios';
import type { Logger } from '@denyscope/telemetry';
import { FIRST_ATTACK_AFTER_MS, type SimulateOptions } from './options.js';
import type { EventSink } from './sinks.js';
import { RateMeter, TokenBucket } from './token-bucket.js';
import { TrafficPlan } from './traffic-plan.js';

/** One JSON line on stderr per injected scenario: what demos and tests should expect. */
export interface ScenarioAnnouncement {
  scenario: string;
  kind: LabelledScenario['kind'];
  expect: LabelledScenario['expect'];
  injected_at: string;
  events: number;
}

export function announcement(scenario: LabelledScenario, now: number): ScenarioAnnouncement {
  return {
    scenario: scenario.name,
    kind: scenario.kind,
    expect: scenario.expect,
    injected_at: new Date(now).toISOString(),
    events: scenario.events.length,
  };
}

export interface SimulatorDeps {
  sink: EventSink;
  log: Logger;
  announce: (line: ScenarioAnnouncement) => void;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How often the achieved rate is logged. Default 10 s. */
  reportEveryMs?: number;
}

export interface SimulatorResult {
  events: number;
  seconds: number;
  achievedRate: number;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Produces the plan's events at `rate` per second until `durationMs` passed or `signal` aborts,
 * stamping each with the wall clock as it goes out ("live event time"). Batches are as large as
 * the tokens saved up since the last one: at least rate/50, so there are at most ~50 sends a
 * second however high the rate. Closes the sink (flush, disconnect) before it returns.
 */
export async function runSimulator(
  options: SimulateOptions,
  deps: SimulatorDeps,
  signal: AbortSignal,
): Promise<SimulatorResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const reportEveryMs = deps.reportEveryMs ?? 10_000;
  const startedAt = now();
  const endAt =
    options.durationMs === null ? Number.POSITIVE_INFINITY : startedAt + options.durationMs;
  const plan = new TrafficPlan({
    rate: options.rate,
    seed: options.seed,
    startMs: startedAt,
    firstAttackAfterMs: FIRST_ATTACK_AFTER_MS,
    attackEveryMs: options.attackEveryMs,
  });
  const minBatch = Math.max(1, Math.floor(options.rate / 50));
  const bucket = new TokenBucket(options.rate, Math.max(minBatch, options.rate / 5), startedAt);
  const meter = new RateMeter(startedAt);
  let total = 0;
  let lastReport = startedAt;
  try {
    for (;;) {
      const t = now();
      if (signal.aborted || t >= endAt) break;
      const wait = bucket.msUntil(minBatch, t);
      if (wait > 0) {
        await sleep(Math.min(wait, endAt - t), signal);
        continue;
      }
      const planned = plan.next(bucket.take(t));
      const stamp = now();
      const events: GeneratedEvent[] = [];
      for (const { event, injects } of planned) {
        event.ts = stamp;
        events.push(event);
        if (injects !== undefined) deps.announce(announcement(injects, stamp));
      }
      await deps.sink.write(events);
      total += events.length;
      meter.add(events.length);
      if (stamp - lastReport >= reportEveryMs) {
        const { rate, events: sent } = meter.sample(stamp);
        deps.log.info(
          { target: options.rate, achieved: rate, events: sent, total },
          'simulator rate',
        );
        lastReport = stamp;
      }
    }
  } finally {
    await deps.sink.close();
  }
  const seconds = Math.max(now() - startedAt, 1) / 1000;
  return { events: total, seconds, achievedRate: Math.round(total / seconds) };
}
