import { describe, expect, it } from 'vitest';
import { FLUSH_PHASE_MS, nextFlushDelay } from './flush-schedule.js';

const SECOND = 1_000;
const at = (iso: string) => Date.parse(iso);

describe('nextFlushDelay', () => {
  it('flushes at the phase past each whole interval of wall time', () => {
    expect(FLUSH_PHASE_MS).toBe(300);
    expect(nextFlushDelay(at('2026-12-07T10:00:00.000Z'), SECOND)).toBe(300);
    expect(nextFlushDelay(at('2026-12-07T10:00:00.299Z'), SECOND)).toBe(1);
    expect(nextFlushDelay(at('2026-12-07T10:00:00.700Z'), SECOND)).toBe(600);
  });

  it('waits a whole interval when called exactly at a boundary (never 0: the timer would spin)', () => {
    expect(nextFlushDelay(at('2026-12-07T10:00:00.300Z'), SECOND)).toBe(SECOND);
  });

  it('lands every instance on the same instants whenever it started', () => {
    const starts = [0, 17, 299, 300, 301, 999].map((ms) => at('2026-12-07T10:00:05.000Z') + ms);
    const fires = starts.map((now) => (now + nextFlushDelay(now, 5 * SECOND)) % (5 * SECOND));
    expect(new Set(fires)).toEqual(new Set([300]));
  });

  it('caps the phase at half of a short interval', () => {
    expect(nextFlushDelay(at('2026-12-07T10:00:00.000Z'), 100)).toBe(50);
    expect(nextFlushDelay(at('2026-12-07T10:00:00.050Z'), 100)).toBe(100);
    expect(nextFlushDelay(at('2026-12-07T10:00:00.000Z'), 10)).toBe(5);
  });

  it('stays within one interval for any time, also before 1970', () => {
    for (const now of [-1, -1_234_567, 0, 1, 1_765_000_000_123]) {
      const delay = nextFlushDelay(now, SECOND);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(SECOND);
      expect((((now + delay) % SECOND) + SECOND) % SECOND).toBe(300);
    }
  });
});
