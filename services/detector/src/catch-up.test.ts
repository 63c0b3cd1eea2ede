import { describe, expect, it } from 'vitest';
import { planEvaluations, type CatchUpSettings } from './catch-up.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-28T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * MINUTE);
const minutesOf = (dates: Date[]) => dates.map((d) => (d.getTime() - T0) / MINUTE);
const settings: CatchUpSettings = { stepMs: MINUTE, maxMs: 60 * MINUTE, maxStepsPerTick: 30 };

describe('planEvaluations', () => {
  it('evaluates once at the watermark on the first tick', () => {
    expect(planEvaluations(null, at(5), settings)).toEqual({
      at: [at(5)],
      skipped: undefined,
      behind: false,
    });
  });

  it('evaluates once when the watermark moved less than a step (the steady state)', () => {
    const plan = planEvaluations(at(5), at(5.03), settings);
    expect(minutesOf(plan.at)).toEqual([5.03]);
    expect(plan.behind).toBe(false);
  });

  it('evaluates again at the same watermark: late events may have arrived', () => {
    expect(minutesOf(planEvaluations(at(5), at(5), settings).at)).toEqual([5]);
  });

  it('never goes back behind the last evaluated watermark', () => {
    expect(minutesOf(planEvaluations(at(5), at(3), settings).at)).toEqual([5]);
  });

  it('walks a gap in steps, then evaluates at the current watermark', () => {
    const plan = planEvaluations(at(10), at(14.5), settings);
    expect(minutesOf(plan.at)).toEqual([11, 12, 13, 14, 14.5]);
    expect(plan).toMatchObject({ skipped: undefined, behind: false });
  });

  it('does not evaluate twice when the gap is a whole number of steps', () => {
    expect(minutesOf(planEvaluations(at(10), at(13), settings).at)).toEqual([11, 12, 13]);
  });

  it('walks at most maxStepsPerTick and says it is behind; the next tick goes on from there', () => {
    const small = { ...settings, maxStepsPerTick: 3 };
    const first = planEvaluations(at(0), at(10), small);
    expect(minutesOf(first.at)).toEqual([1, 2, 3]);
    expect(first.behind).toBe(true);
    const second = planEvaluations(first.at.at(-1) ?? null, at(10), small);
    expect(minutesOf(second.at)).toEqual([4, 5, 6]);
    const third = planEvaluations(at(9), at(10), small);
    expect(minutesOf(third.at)).toEqual([10]);
    expect(third.behind).toBe(false);
  });

  it('stops at maxStepsPerTick exactly when the last step is the current watermark', () => {
    const plan = planEvaluations(at(0), at(3), { ...settings, maxStepsPerTick: 2 });
    expect(minutesOf(plan.at)).toEqual([1, 2]);
    expect(plan.behind).toBe(true);
  });

  it('walks only the last maxMs of a longer gap and reports what it skipped', () => {
    const plan = planEvaluations(at(0), at(200), { ...settings, maxMs: 3 * MINUTE });
    expect(minutesOf(plan.at)).toEqual([198, 199, 200]);
    expect(plan.skipped).toEqual({ from: at(0), to: at(197) });
  });

  it('with catch-up off (maxMs 0) evaluates only at the current watermark', () => {
    const plan = planEvaluations(at(0), at(200), { ...settings, maxMs: 0 });
    expect(minutesOf(plan.at)).toEqual([200]);
  });
});
