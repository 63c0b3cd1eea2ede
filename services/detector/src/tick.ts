import { planEvaluations, type CatchUpSettings } from './catch-up.js';
import { evaluateAt, type EvaluationDeps } from './evaluation.js';

/**
 * The saved watermark of the last evaluation. Before the first one ever, just before the oldest
 * stored evidence within catch-up reach: what was ingested before the detector first ran (or while
 * it had not run yet) is walked like any other gap.
 */
async function lastEvaluated(
  deps: EvaluationDeps,
  watermarks: { firstEvidence: (notBefore: Date) => Promise<Date | null> },
  current: Date,
  catchUp: CatchUpSettings,
): Promise<Date | null> {
  const saved = await deps.store.lastEvaluated();
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
 */
export async function runTick(
  deps: EvaluationDeps,
  watermarks: {
    current: () => Promise<Date | null>;
    /** Oldest evidence at or after a time (the first tick ever starts its catch-up there). */
    firstEvidence: (notBefore: Date) => Promise<Date | null>;
  },
  catchUp: CatchUpSettings,
): Promise<TickResult> {
  const watermark = await watermarks.current();
  if (watermark === null) return { skipped: 'no events ingested yet' };
  const plan = planEvaluations(
    await lastEvaluated(deps, watermarks, watermark, catchUp),
    watermark,
    catchUp,
  );
  if (plan.skipped !== undefined) {
    deps.log.warn(
      { from: plan.skipped.from.toISOString(), to: plan.skipped.to.toISOString() },
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
      },
      'catching up on windows that closed while nothing was evaluated',
    );
  }
  let transitions = 0;
  for (const at of plan.at) {
    transitions += (await evaluateAt(deps, at)).length;
    await deps.store.saveLastEvaluated(at);
  }
  return {
    watermark: watermark.toISOString(),
    evaluations: plan.at.length,
    transitions,
    behind: plan.behind,
  };
}
