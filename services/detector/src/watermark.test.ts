import { describe, expect, it } from 'vitest';
import { watermarkOf } from './watermark.js';

const SECOND = 1_000;
const T = Date.parse('2026-11-28T10:00:00Z');
const settings = { allowedLatenessMs: 2 * SECOND, maxWaitMs: 300 * SECOND };

describe('watermarkOf', () => {
  it('ends at the newest partition minus the lateness when every partition is caught up', () => {
    expect(watermarkOf({ newestMs: T, slowestLaggingMs: null }, settings)).toEqual(
      new Date(T - 2 * SECOND),
    );
  });

  it('waits for the slowest partition that still has a backlog', () => {
    expect(watermarkOf({ newestMs: T, slowestLaggingMs: T - 90 * SECOND }, settings)).toEqual(
      new Date(T - 92 * SECOND),
    );
  });

  it('waits at most maxWaitMs behind the newest partition', () => {
    expect(watermarkOf({ newestMs: T, slowestLaggingMs: T - 3_600 * SECOND }, settings)).toEqual(
      new Date(T - 302 * SECOND),
    );
  });

  it('never waits with maxWaitMs 0', () => {
    const noWait = { ...settings, maxWaitMs: 0 };
    expect(watermarkOf({ newestMs: T, slowestLaggingMs: T - 90 * SECOND }, noWait)).toEqual(
      new Date(T - 2 * SECOND),
    );
  });

  it('a lagging partition that is itself the newest changes nothing', () => {
    expect(watermarkOf({ newestMs: T, slowestLaggingMs: T }, settings)).toEqual(
      new Date(T - 2 * SECOND),
    );
  });
});
