import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('waits initialMs on attempt 1, then doubles up to the cap', () => {
    const options = { initialMs: 1_000, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, options))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });

  it('treats attempts below 1 as attempt 1 and stays finite for huge attempts', () => {
    const options = { initialMs: 300, maxMs: 30_000 };
    expect(backoffDelay(0, options)).toBe(300);
    expect(backoffDelay(-3, options)).toBe(300);
    expect(backoffDelay(10_000, options)).toBe(30_000);
  });

  it('with jitter grows exponentially, stays within [ceiling/2, ceiling] and is capped', () => {
    const options = { initialMs: 100, maxMs: 5_000, jitter: true };
    for (let attempt = 1; attempt <= 40; attempt += 1) {
      const ceiling = Math.min(5_000, 100 * 2 ** Math.min(attempt - 1, 30));
      const delay = backoffDelay(attempt, options);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('with jitter does not always return the same delay', () => {
    const delays = new Set(
      Array.from({ length: 50 }, () =>
        backoffDelay(5, { initialMs: 1_000, maxMs: 60_000, jitter: true }),
      ),
    );
    expect(delays.size).toBeGreaterThan(1);
  });
});
