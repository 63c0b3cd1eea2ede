export interface SequentialSettings {
  minNumericIds: number;
  maxGap: number;
  minShare: number;
}

/**
 * Whether distinct numeric IDs look like a walk: enough of them, and most steps between
 * neighbours (after sorting) small. Random guesses in a large space have large gaps; a scanner
 * counting up has gaps of 1.
 */
export function looksSequential(numbers: readonly number[], settings: SequentialSettings): boolean {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  if (sorted.length < settings.minNumericIds) return false;
  let small = 0;
  for (let i = 1; i < sorted.length; i += 1) {
    if ((sorted[i] ?? 0) - (sorted[i - 1] ?? 0) <= settings.maxGap) small += 1;
  }
  return small / (sorted.length - 1) >= settings.minShare;
}
