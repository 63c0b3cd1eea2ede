import {
  backgroundTraffic,
  composeStream,
  crossEnvironmentProductionIdsInStaging,
  crossEnvironmentStagingIdsInProduction,
  crossTenant,
  distributedEnumeration,
  foreignAccessSuccess,
  idEnumerationRandom,
  idEnumerationSequential,
  seededRandom,
  type ComposedStream,
  type GeneratedEvent,
  type LabelledScenario,
  type ScenarioContext,
} from '@denyscope/scenarios';
import type { ChaosProfile } from './profile.js';

const MINUTE = 60_000;
/**
 * Background traffic runs this long after the attack window: every incident must resolve within
 * the stream (DETECT_RESOLVE_AFTER_MS 150 s plus DETECT_ALLOWED_LATENESS_MS 30 s, see
 * pipeline.ts), so each one goes through at least two state changes.
 */
const TAIL_MS = 4 * MINUTE;

export interface ChaosStream extends ComposedStream {
  attacks: LabelledScenario[];
  /** Event time of the first and last event. */
  firstTs: number;
  lastTs: number;
}

/**
 * Labelled attacks (each must open one incident) in background traffic, in event-time order,
 * ending a few minutes before now so that nothing is in the future. The short profile uses four
 * attacks with spans that fit its 6-minute window; the full one adds three more.
 */
export function chaosStream(profile: ChaosProfile, seed: number): ChaosStream {
  const attackMs = profile.attackMinutes * MINUTE;
  const startMs = Date.now() - attackMs - TAIL_MS - 2 * MINUTE;
  const random = seededRandom(seed);
  const ctx: ScenarioContext = { random, startMs, durationMs: attackMs };
  const attacks = [
    idEnumerationSequential(ctx),
    idEnumerationRandom(ctx),
    crossEnvironmentStagingIdsInProduction(ctx),
    foreignAccessSuccess(ctx, { spanMs: 4 * MINUTE }),
  ];
  if (profile.name === 'full') {
    attacks.push(
      distributedEnumeration(ctx),
      crossTenant(ctx, { concentrated: true }),
      crossEnvironmentProductionIdsInStaging(ctx),
    );
  }
  const background = backgroundTraffic(
    { random, startMs, durationMs: attackMs + TAIL_MS },
    { accounts: 40, keysPerAccount: 3, eventsPerSecond: profile.backgroundPerSecond },
  );
  const stream = composeStream([...attacks, background]);
  return {
    ...stream,
    attacks,
    firstTs: stream.events[0]?.ts ?? startMs,
    lastTs: stream.events.at(-1)?.ts ?? startMs,
  };
}

export function isDenial(event: GeneratedEvent): boolean {
  return event.status === 403 && event.error === 'ownership_denied';
}

/**
 * A stream of the given labelled attacks in background traffic over `[startMs, startMs +
 * durationMs)`, for scenarios that place their attacks around a fault of their own (chaosStream
 * places them at random in its attack window).
 */
export function chaosStreamOf(
  attacks: LabelledScenario[],
  background: { random: () => number; startMs: number; durationMs: number; perSecond: number },
): ChaosStream {
  const traffic = backgroundTraffic(
    { random: background.random, startMs: background.startMs, durationMs: background.durationMs },
    { accounts: 40, keysPerAccount: 3, eventsPerSecond: background.perSecond },
  );
  const stream = composeStream([...attacks, traffic]);
  return {
    ...stream,
    attacks,
    firstTs: stream.events[0]?.ts ?? background.startMs,
    lastTs: stream.events.at(-1)?.ts ?? background.startMs,
  };
}
