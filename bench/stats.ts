// Small statistics for the benchmark summary; each definition is the one bench/README.md states.

/**
 * The p-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest value such that at
 * least p % of the values are ≤ it. Always a value that was observed (p95 of 20 values is the 19th
 * smallest), never an interpolation. Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export interface LinearFit {
  /** Change of y per unit of x. */
  slope: number;
  intercept: number;
  /** Standard error of the slope (0 when the points lie on a line; null for fewer than 3 points). */
  slopeStdErr: number | null;
  points: number;
}

/** Ordinary least squares fit y = intercept + slope·x. Null for fewer than 2 distinct x values. */
export function leastSquares(points: readonly { x: number; y: number }[]): LinearFit | null {
  const n = points.length;
  if (n < 2) return null;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let residuals = 0;
  for (const p of points) residuals += (p.y - (intercept + slope * p.x)) ** 2;
  const slopeStdErr = n > 2 ? Math.sqrt(residuals / (n - 2) / sxx) : null;
  return { slope, intercept, slopeStdErr, points: n };
}

/** Rounds for the JSON summary; null stays null. */
export function round(value: number | null | undefined, digits = 2): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
