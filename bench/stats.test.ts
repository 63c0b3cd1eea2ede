import { describe, expect, it } from 'vitest';
import { leastSquares, percentile, round } from './stats.js';

describe('percentile (nearest rank)', () => {
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1); // 1..20

  it('p50 and p95 of 20 values are the 10th and 19th smallest', () => {
    expect(percentile(twenty, 50)).toBe(10);
    expect(percentile(twenty, 95)).toBe(19);
    expect(percentile(twenty, 100)).toBe(20);
  });

  it('does not depend on the order of the input and leaves it unchanged', () => {
    const shuffled = [7, 3, 20, 1, 15, 2, 19, 4, 18, 5, 17, 6, 16, 8, 14, 9, 13, 10, 12, 11];
    const copy = [...shuffled];
    expect(percentile(shuffled, 95)).toBe(19);
    expect(shuffled).toEqual(copy);
  });

  it('returns an observed value, never an interpolation', () => {
    expect(percentile([1, 10], 50)).toBe(1);
    expect(percentile([1, 10], 51)).toBe(10);
    expect(percentile([4.2], 95)).toBe(4.2);
  });

  it('is null for no values and rejects a p outside (0, 100]', () => {
    expect(percentile([], 95)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('leastSquares', () => {
  it('finds slope and intercept of points on a line, with zero standard error', () => {
    const points = [0, 1, 2, 3, 4].map((x) => ({ x, y: 3 + 0.5 * x }));
    const fit = leastSquares(points);
    expect(fit?.slope).toBeCloseTo(0.5, 12);
    expect(fit?.intercept).toBeCloseTo(3, 12);
    expect(fit?.slopeStdErr).toBeCloseTo(0, 12);
    expect(fit?.points).toBe(5);
  });

  it('gives a flat noisy series a slope near zero and a standard error that reflects the noise', () => {
    // A sawtooth like RSS between garbage collections: up 10 MB in four steps, then back down.
    const points = Array.from({ length: 120 }, (_, i) => ({ x: i, y: 200 + (i % 5) * 2.5 }));
    const fit = leastSquares(points);
    expect(Math.abs(fit?.slope ?? 1)).toBeLessThan(0.01);
    expect(fit?.slopeStdErr).toBeGreaterThan(0);
  });

  it('matches a hand-computed fit', () => {
    // x̄ = 2, ȳ = 3; Sxy = 7, Sxx = 10 → slope 0.7, intercept 1.6.
    const fit = leastSquares([
      { x: 0, y: 1 },
      { x: 1, y: 3 },
      { x: 3, y: 4 },
      { x: 4, y: 4 },
    ]);
    expect(fit?.slope).toBeCloseTo(0.7, 12);
    expect(fit?.intercept).toBeCloseTo(1.6, 12);
    // residuals -0.6, 0.7, 0.3, -0.4 → sum of squares 1.1; SE = sqrt(1.1 / (n - 2) / Sxx)
    expect(fit?.slopeStdErr).toBeCloseTo(Math.sqrt(1.1 / 2 / 10), 12);
  });

  it('is null without two distinct x values', () => {
    expect(leastSquares([])).toBeNull();
    expect(leastSquares([{ x: 1, y: 1 }])).toBeNull();
    expect(
      leastSquares([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeNull();
  });
});

describe('round', () => {
  it('rounds to the given digits and keeps null for missing or non-finite values', () => {
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(1.5, 0)).toBe(2);
    expect(round(null)).toBeNull();
    expect(round(undefined)).toBeNull();
    expect(round(Number.POSITIVE_INFINITY)).toBeNull();
  });
});
