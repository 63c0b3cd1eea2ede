import { seededRandom } from './event-stream.js';
import type { GeneratedEvent } from './event-stream.js';
import { backgroundTraffic } from './background.js';
import type { BackgroundOptions } from './background.js';
import {
  busyKeyLowDenyRatio,
  corporateNat,
  fewStaleIdsPolledForHours,
  manyKeysRarelyDenied,
  retryOneId,
  stagingUsingStagingIds,
} from './benign.js';
import { HOUR } from './builder.js';
import {
  crossEnvironmentProductionIdsInStaging,
  crossEnvironmentStagingIdsInProduction,
} from './cross-environment.js';
import { crossTenant } from './cross-tenant.js';
import { distributedEnumeration } from './distributed-enumeration.js';
import { foreignAccessSuccess } from './foreign-access-success.js';
import { idEnumerationRandom, idEnumerationSequential, slowEnumeration } from './id-enumeration.js';
import { staleResourceIds } from './stale-resource-ids.js';
import type { LabelledScenario, ScenarioContext } from './types.js';

export interface ComposedStream {
  /** Every scenario's events, sorted by `ts` (ties keep scenario order). */
  events: GeneratedEvent[];
  scenarios: LabelledScenario[];
}

/** Merges scenarios into one stream; throws if two events share a `request_id`. */
export function composeStream(scenarios: LabelledScenario[]): ComposedStream {
  const events = scenarios.flatMap((s) => s.events).sort((a, b) => a.ts - b.ts);
  const seen = new Set<string>();
  for (const event of events) {
    if (seen.has(event.request_id)) {
      throw new Error(`composeStream: request_id ${event.request_id} appears twice`);
    }
    seen.add(event.request_id);
  }
  return { events, scenarios };
}

export interface AllScenariosOptions {
  /** Span every scenario is placed in; default 2 hours (the hours-long stale polling needs it). */
  durationMs?: number;
  /** Default: 20 accounts × 2 keys, 2 events/s (about 14,400 events over 2 hours). */
  background?: BackgroundOptions;
}

/**
 * One instance of every attack and benign shape plus background traffic, all drawn from one
 * seeded generator (so subjects never collide) and placed in `[startMs, startMs + 2 h)`.
 */
export function allScenarios(
  seed: number,
  startMs: number,
  options: AllScenariosOptions = {},
): ComposedStream {
  const { durationMs = 2 * HOUR, background = {} } = options;
  const ctx: ScenarioContext = { random: seededRandom(seed), startMs, durationMs };
  return composeStream([
    idEnumerationSequential(ctx),
    idEnumerationRandom(ctx),
    slowEnumeration(ctx),
    distributedEnumeration(ctx),
    crossEnvironmentStagingIdsInProduction(ctx),
    crossEnvironmentProductionIdsInStaging(ctx),
    crossTenant(ctx),
    crossTenant(ctx, { concentrated: true }),
    foreignAccessSuccess(ctx),
    staleResourceIds(ctx),
    retryOneId(ctx),
    fewStaleIdsPolledForHours(ctx),
    busyKeyLowDenyRatio(ctx),
    manyKeysRarelyDenied(ctx),
    corporateNat(ctx),
    stagingUsingStagingIds(ctx),
    backgroundTraffic(ctx, background),
  ]);
}

/** One JSON object per line, newline-terminated; what a Kafka producer or `replay` reads. */
export function toNdjson(events: readonly GeneratedEvent[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}
