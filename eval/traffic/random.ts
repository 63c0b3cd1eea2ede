import { seededRandom } from '@denyscope/scenarios';

/**
 * The evaluation's only source of randomness. A seed fixes a whole run, line for line, so a
 * result can be reproduced and a regression bisected; `Math.random` is never used.
 *
 * Each part of the traffic (every key's background process, every episode) draws from its own
 * stream, forked from the seed by a label: adding an episode or a key then leaves every other
 * part's draws unchanged, instead of shifting the whole run.
 */
export type Random = () => number;

/**
 * mulberry32: tiny, seedable, statistically fine for shaping traffic (not for secrets). The
 * testkit's generator, so the scenarios and the evaluation draw alike.
 */
export const mulberry32: (seed: number) => Random = seededRandom;

/** FNV-1a over the label, mixed with the seed: an independent stream per (seed, label). */
export function fork(seed: number, label: string): Random {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i += 1) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mulberry32(h);
}

/** Integer in [min, max], both included. */
export function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Uniform real in [min, max). */
export function between(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}

export function chance(random: Random, p: number): boolean {
  return random() < p;
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** One of `items`, each as likely as its weight. */
export function weighted<T>(random: Random, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let u = random() * total;
  for (const [item, w] of items) {
    u -= w;
    if (u < 0) return item;
  }
  const last = items[items.length - 1];
  if (last === undefined) throw new Error('weighted pick from an empty list');
  return last[0];
}

/** Gap of a Poisson process with the given mean. */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** exp(N(mu, sigma)) by Box–Muller: account sizes and activity are heavy-tailed. */
export function logNormal(random: Random, mu: number, sigma: number): number {
  const u = 1 - random();
  const v = random();
  return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** `k` distinct items of `items` in random order (a partial Fisher–Yates on a copy). */
export function sample<T>(random: Random, items: readonly T[], k: number): T[] {
  const copy = [...items];
  const count = Math.min(k, copy.length);
  for (let i = 0; i < count; i += 1) {
    const j = int(random, i, copy.length - 1);
    const a = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = a;
  }
  return copy.slice(0, count);
}

/** `n` times spread evenly over `[start, start + span)`, each jittered inside its own slot. */
export function spread(random: Random, start: number, span: number, n: number): number[] {
  const slot = span / Math.max(n, 1);
  return Array.from({ length: n }, (_, i) => Math.floor(start + slot * i + random() * slot));
}
