import { defineSection, durationMs, int, text } from '@denyscope/config';
import { DEFAULT_RESOLVED_TTL_MS } from '@denyscope/incidents';
import { DEFAULT_MAX_NEW_INCIDENTS_PER_RULE } from './incident-manager.js';

// The detector's configuration section (DETECT_*, RULES_FILE), loaded with the shared one by
// loadConfig (the CLI composes every service's). DETECT_ON_FLUSH and DETECT_FUTURE_TOLERANCE_MS
// are shared (`config.pipeline`): ingest acts on them too. Documented in README.md; every `*_MS`
// variable is listed in docs/durations.md.

const detectorVariables = {
  DETECT_INTERVAL_MS: durationMs(500, 3_600_000).default(2_000),
  DETECT_ALLOWED_LATENESS_MS: durationMs(0, 3_600_000).default(1_000),
  DETECT_PARTITION_WAIT_MS: durationMs(0, 86_400_000).default(300_000),
  DETECT_RESOLVE_AFTER_MS: durationMs(60_000, 86_400_000).default(900_000),
  DETECT_CATCHUP_STEP_MS: durationMs(1_000, 3_600_000).default(60_000),
  DETECT_CATCHUP_MAX_MS: durationMs(0, 7 * 86_400_000).default(6 * 3_600_000),
  DETECT_CATCHUP_STEPS_PER_TICK: int(1, 1_000).default(30),
  // docs/rules.md, "Bounded blast radius": a rule opens at most this many incidents of its own;
  // further subjects join the rule's one digest incident.
  DETECT_MAX_NEW_INCIDENTS_PER_RULE: int(1, 10_000).default(DEFAULT_MAX_NEW_INCIDENTS_PER_RULE),
  // At least a day: a resolved incident must outlive the longest rule window (24 h), or the
  // window's old events would open it again as new.
  DETECT_RESOLVED_TTL_MS: durationMs(86_400_000, 366 * 86_400_000).default(DEFAULT_RESOLVED_TTL_MS),
  DETECT_RULE_FAILURE_ALERT_AFTER: int(1, 1_000).default(3),
  RULES_FILE: text.optional(),
};

export interface DetectorConfig {
  /** The fixed tick: evaluations at least this often, with or without ingest's flush hints. */
  intervalMs: number;
  /** The watermark trails the newest ingested event time by this much (late events). */
  allowedLatenessMs: number;
  /**
   * The watermark waits for partitions still working through a backlog, but never falls more
   * than this much event time behind the newest partition (0: never waits).
   */
  partitionWaitMs: number;
  /** An incident with no new evidence for this long is resolved. */
  resolveAfterMs: number;
  /**
   * After a gap in evaluation (detector down, Redis down, a slow tick), the windows that closed
   * meanwhile are evaluated in steps of `stepMs` of event time, over at most the last `maxMs`
   * (0: never), at most `maxStepsPerTick` evaluations per tick.
   */
  catchUp: { stepMs: number; maxMs: number; maxStepsPerTick: number };
  /** A rule failing this many ticks in a row raises a pipeline-health alert. */
  ruleFailureAlertAfter: number;
  /**
   * A rule has at most this many incidents of its own firing (and opens at most this many per
   * evaluation); further subjects join the rule's one digest incident (incident-manager.ts).
   */
  maxNewIncidentsPerRule: number;
  /** A resolved incident's state is kept in Redis this long (wall time), then expires. */
  resolvedTtlMs: number;
  /** Optional YAML or JSON file of per-rule settings (validated by the detector). */
  rulesFile: string | undefined;
}

export const detectorSection = defineSection({
  variables: detectorVariables,
  build: (parsed): DetectorConfig => ({
    intervalMs: parsed.DETECT_INTERVAL_MS,
    allowedLatenessMs: parsed.DETECT_ALLOWED_LATENESS_MS,
    partitionWaitMs: parsed.DETECT_PARTITION_WAIT_MS,
    resolveAfterMs: parsed.DETECT_RESOLVE_AFTER_MS,
    catchUp: {
      stepMs: parsed.DETECT_CATCHUP_STEP_MS,
      maxMs: parsed.DETECT_CATCHUP_MAX_MS,
      maxStepsPerTick: parsed.DETECT_CATCHUP_STEPS_PER_TICK,
    },
    ruleFailureAlertAfter: parsed.DETECT_RULE_FAILURE_ALERT_AFTER,
    maxNewIncidentsPerRule: parsed.DETECT_MAX_NEW_INCIDENTS_PER_RULE,
    resolvedTtlMs: parsed.DETECT_RESOLVED_TTL_MS,
    rulesFile: parsed.RULES_FILE,
  }),
});
