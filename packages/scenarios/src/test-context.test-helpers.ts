import { seededRandom } from './event-stream.js';
import { HOUR } from './builder.js';
import type { ScenarioContext } from './types.js';

/** Shared by the scenario tests: a fixed start and the seeds every property is checked for. */
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
export const SEEDS = [1, 2, 3, 4, 5, 6];

export function testContext(seed: number, extra: Partial<ScenarioContext> = {}): ScenarioContext {
  // Odd start offsets so that bursts straddle minute and 5-minute boundaries differently.
  return { random: seededRandom(seed), startMs: T0 + seed * 37_123, durationMs: HOUR, ...extra };
}
