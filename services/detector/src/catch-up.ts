/**
 * Where the next tick evaluates, given the last watermark evaluated and the current one.
 *
 * A tick normally evaluates once, at the current watermark. But windows that closed while no
 * tick ran (detector down or blocked, Redis down, a tick that took long while ingest caught up on
 * a backlog) would otherwise never be evaluated, and an attack that began and ended inside such a
 * gap would never be seen. So after a gap longer than one step the tick first walks the gap in
 * steps of event time, as `denyscope replay --step` does, then evaluates at the current watermark.
 */
export interface CatchUpSettings {
  /** Event time between two catch-up evaluations (a fraction of the shortest rule window). */
  stepMs: number;
  /** Gaps longer than this are walked only over their last `maxMs` (0: no catch-up at all). */
  maxMs: number;
  /** At most this many evaluations per tick; the rest of a long gap is walked by the next ticks. */
  maxStepsPerTick: number;
}

export interface EvaluationPlan {
  /** Watermarks to evaluate at, oldest first; never empty. */
  at: Date[];
  /** Event time not evaluated because the gap was longer than `maxMs` (for the log). */
  skipped: { from: Date; to: Date } | undefined;
  /** True when `at` stops short of the current watermark (more catch-up on the next tick). */
  behind: boolean;
}

export function planEvaluations(
  lastEvaluated: Date | null,
  current: Date,
  settings: CatchUpSettings,
): EvaluationPlan {
  // Never evaluate behind what was already evaluated: the watermark can step back (a larger
  // allowed lateness after a restart, a cleared ingest_watermarks), incidents must not.
  if (lastEvaluated !== null && current.getTime() <= lastEvaluated.getTime()) {
    return { at: [lastEvaluated], skipped: undefined, behind: false };
  }
  if (lastEvaluated === null || settings.maxMs === 0) {
    return { at: [current], skipped: undefined, behind: false };
  }
  const last = lastEvaluated.getTime();
  const end = current.getTime();
  const start = Math.max(last, end - settings.maxMs);
  const skipped = start > last ? { from: lastEvaluated, to: new Date(start) } : undefined;
  const at: Date[] = [];
  for (let t = start + settings.stepMs; t < end && at.length < settings.maxStepsPerTick;) {
    at.push(new Date(t));
    t += settings.stepMs;
  }
  // Full before reaching the watermark itself: the next tick goes on from the last step.
  if (at.length === settings.maxStepsPerTick) return { at, skipped, behind: true };
  at.push(current);
  return { at, skipped, behind: false };
}
