import { RULE_IDS, type RuleId } from '@denyscope/alerts';
import type { FailingRule } from '@denyscope/detections';
import { planEvaluations, type CatchUpSettings } from './catch-up.js';
import { evaluateRules, type EvaluationDeps } from './evaluation.js';
import type { RuleProgressStore } from './rule-progress.js';
import { clampTo, liveLimit } from './watermark.js';

/** Runs once per tick after the others, at the tick's watermark: it reports on them. */
const HEALTH_RULE: RuleId = 'pipeline-health';

/** What only the live detector has: a wall clock, and per-rule progress. */
export interface LiveSettings {
  /** DETECT_FUTURE_TOLERANCE_MS. */
  futureToleranceMs: number;
  /** DETECT_RULE_FAILURE_ALERT_AFTER. */
  ruleFailureAlertAfter: number;
  progress: RuleProgressStore;
  /** Wall clock, epoch ms (tests fix it). */
  now?: () => number;
}

/**
 * The saved watermark of the last evaluation. Before the first one ever, just before the oldest
 * stored evidence within catch-up reach: what was ingested before the detector first ran (or while
 * it had not run yet) is walked like any other gap.
 */
async function lastEvaluated(
  saved: Date | null,
  watermarks: { firstEvidence: (notBefore: Date) => Promise<Date | null> },
  current: Date,
  catchUp: CatchUpSettings,
): Promise<Date | null> {
  if (saved !== null || catchUp.maxMs === 0) return saved;
  const first = await watermarks.firstEvidence(new Date(current.getTime() - catchUp.maxMs));
  return first === null || first >= current ? null : new Date(first.getTime() - 1);
}

export type TickResult =
  | { skipped: string }
  | { watermark: string; evaluations: number; transitions: number; behind: boolean };

/**
 * One detect job: reads the watermark, evaluates every point the catch-up plan gives (usually
 * just the watermark), and remembers each point once its incident state is saved. A crash
 * between the two repeats that point on the next tick, which is harmless: an evaluation at the
 * same watermark yields the same transitions under the same IDs.
 *
 * Event time, safely (docs/rules.md): the watermark read, and every evaluated watermark saved
 * (the detector's and each rule's), is held to wall time + DETECT_FUTURE_TOLERANCE_MS. A saved
 * watermark beyond that was poisoned (an older version let one future `ts` move it): it is taken
 * as the current watermark, so detection goes on at once instead of evaluating windows that end
 * in the future, where no event is yet and every incident looks quiet.
 *
 * Fail closed: each rule keeps its own last successful watermark. Rules that failed are left
 * behind at theirs and evaluated again from there on the next tick (in a group of their own),
 * while their incidents are kept; after DETECT_RULE_FAILURE_ALERT_AFTER failures in a row the
 * pipeline-health rule, evaluated last, names them.
 */
export async function runTick(
  deps: EvaluationDeps,
  watermarks: {
    current: () => Promise<Date | null>;
    /** Oldest evidence at or after a time (the first tick ever starts its catch-up there). */
    firstEvidence: (notBefore: Date) => Promise<Date | null>;
  },
  catchUp: CatchUpSettings,
  live: LiveSettings,
): Promise<TickResult> {
  const wallMs = (live.now ?? Date.now)();
  const limit = liveLimit(wallMs, live.futureToleranceMs);
  const read = await watermarks.current();
  if (read === null) return { skipped: 'no events ingested yet' };
  const watermark = clampTo(read, limit);
  if (watermark !== read) {
    deps.log.warn(
      { read: read.toISOString(), limit: limit.toISOString() },
      'watermark ahead of wall time + DETECT_FUTURE_TOLERANCE_MS; held at the limit',
    );
  }
  const unpoisoned = (saved: Date | null, what: string): Date | null => {
    if (saved === null || saved.getTime() <= limit.getTime()) return saved;
    deps.log.warn(
      { saved: saved.toISOString(), limit: limit.toISOString(), what },
      'saved evaluated watermark is ahead of wall time (state of an older version); resuming at the current watermark',
    );
    return watermark;
  };
  const main = await lastEvaluated(
    unpoisoned(await deps.store.lastEvaluated(), 'detector'),
    watermarks,
    watermark,
    catchUp,
  );

  // Rules grouped by where they stand: normally one group at the detector's own watermark; a
  // rule that failed waits at its last success, and is walked from there.
  const enabled = RULE_IDS.filter((id) => deps.settings[id].enabled && id !== HEALTH_RULE);
  const progress = await live.progress.get(RULE_IDS);
  // The detector's own group always runs (even when every rule lags), so its watermark advances
  // and a rule that catches up rejoins it instead of walking its windows a second time.
  const mainFrom = main?.getTime() ?? null;
  const groups = new Map<number | null, RuleId[]>([[mainFrom, []]]);
  for (const id of enabled) {
    const own = unpoisoned(progress.get(id)?.evaluated ?? null, id);
    const from = own !== null && main !== null && own < main ? own.getTime() : mainFrom;
    groups.set(from, [...(groups.get(from) ?? []), id]);
  }

  let transitions = 0;
  let evaluations = 0;
  let behind = false;
  for (const [from, rules] of [...groups].sort(([a], [b]) => (a ?? 0) - (b ?? 0))) {
    const isMain = from === mainFrom;
    const plan = planEvaluations(from === null ? null : new Date(from), watermark, catchUp);
    if (plan.skipped !== undefined) {
      deps.log.warn(
        { from: plan.skipped.from.toISOString(), to: plan.skipped.to.toISOString(), rules },
        'evaluation gap longer than DETECT_CATCHUP_MAX_MS; these windows are not evaluated',
      );
    }
    if (plan.at.length > 1) {
      deps.log.info(
        {
          from: plan.at[0]?.toISOString(),
          to: plan.at.at(-1)?.toISOString(),
          evaluations: plan.at.length,
          behind: plan.behind,
          ...(isMain ? {} : { rules }),
        },
        isMain
          ? 'catching up on windows that closed while nothing was evaluated'
          : 'evaluating again the windows of rules that failed',
      );
    }
    const healthy = new Set(rules);
    for (const at of plan.at) {
      if (healthy.size === 0 && !isMain) break;
      const result = await evaluateRules(deps, at, { rules: healthy });
      transitions += result.transitions.length;
      evaluations += 1;
      for (const [id, error] of result.failed) {
        healthy.delete(id);
        const failures = await live.progress.recordFailure(id, error);
        progress.set(id, {
          evaluated: progress.get(id)?.evaluated ?? null,
          failures,
          lastError: error,
        });
      }
      await live.progress.saveEvaluated([...healthy], at);
      for (const id of healthy) progress.set(id, { evaluated: at, failures: 0, lastError: '' });
      if (isMain) await deps.store.saveLastEvaluated(at);
    }
    behind ||= plan.behind;
  }

  transitions += await evaluateHealth(deps, watermark, new Date(wallMs), live, progress);
  return { watermark: watermark.toISOString(), evaluations, transitions, behind };
}

/** pipeline-health, once per tick at its watermark, on what this tick learnt about the rules. */
async function evaluateHealth(
  deps: EvaluationDeps,
  watermark: Date,
  now: Date,
  live: LiveSettings,
  progress: Map<RuleId, { evaluated: Date | null; failures: number; lastError: string }>,
): Promise<number> {
  if (!deps.settings[HEALTH_RULE].enabled) return 0;
  const failingRules: FailingRule[] = [];
  for (const [rule, state] of progress) {
    if (rule === HEALTH_RULE || state.failures === 0 || !deps.settings[rule].enabled) continue;
    failingRules.push({
      rule,
      failures: state.failures,
      lastError: state.lastError,
      evaluatedUntil: state.evaluated,
    });
  }
  const result = await evaluateRules(deps, watermark, {
    rules: new Set([HEALTH_RULE]),
    health: {
      now,
      futureToleranceMs: live.futureToleranceMs,
      failureAlertAfter: live.ruleFailureAlertAfter,
      failingRules,
    },
  });
  for (const [id, error] of result.failed) await live.progress.recordFailure(id, error);
  if (result.failed.size === 0) await live.progress.saveEvaluated([HEALTH_RULE], watermark);
  return result.transitions.length;
}
