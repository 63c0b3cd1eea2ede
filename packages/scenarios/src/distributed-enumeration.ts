import {
  MINUTE,
  ScenarioBuilder,
  int,
  invoiceId,
  pick,
  sampleIndices,
  silence,
  spread,
} from './builder.js';
import type { Actor } from './builder.js';
import type { LabelledScenario, ScenarioContext } from './types.js';

export interface DistributedEnumerationOptions {
  /** Keys, one per (throw-away) account. Default 12. */
  keys?: number;
  /** Default 8 minutes. */
  spanMs?: number;
  /** Distinct IDs per key, drawn in [min, max]. Default 6–10. */
  minIdsPerKey?: number;
  maxIdsPerKey?: number;
  /** Per-key counts are raised until they add up to at least this. Default 84. */
  minCombined?: number;
  /** IDs per key that exist and belong to another account. Default 1. */
  foreignPerKey?: number;
}

/**
 * Twelve keys of twelve accounts, all from one client IP and one tool, split one sequential
 * `inv_{int}` walk between them round-robin: each key is denied on 6–10 distinct IDs (far under
 * the per-key limits), together ≥ 84, within 8 minutes. Each key also lists its own invoices
 * once (200). distributed-enumeration fires at high for the IP; no key rule fires for any key.
 */
export function distributedEnumeration(
  ctx: ScenarioContext,
  options: DistributedEnumerationOptions = {},
): LabelledScenario {
  const {
    keys = 12,
    spanMs = 8 * MINUTE,
    minIdsPerKey = 6,
    maxIdsPerKey = 10,
    minCombined = 84,
    foreignPerKey = 1,
  } = options;
  if (keys * maxIdsPerKey < minCombined) {
    throw new RangeError('distributedEnumeration: keys × maxIdsPerKey must reach minCombined');
  }
  const b = new ScenarioBuilder(ctx, 'attack:distributed-enumeration');
  const random = b.random;
  const start = b.place(spanMs);
  const ip = b.ip();
  const userAgent = 'python-requests/2.31.0';
  const actors: Actor[] = Array.from({ length: keys }, () => b.actor({ clientIp: ip, userAgent }));
  const counts = actors.map(() => int(random, minIdsPerKey, maxIdsPerKey));
  for (let total = counts.reduce((a, c) => a + c, 0); total < minCombined; total += 1) {
    const smallest = counts.indexOf(Math.min(...counts));
    counts[smallest] = (counts[smallest] ?? 0) + 1;
  }
  // Round-robin over the keys that still have IDs to try: key 0 takes N, key 1 N+1, …
  const order: number[] = [];
  for (let round = 0; round < maxIdsPerKey; round += 1) {
    counts.forEach((count, k) => {
      if (count > round) order.push(k);
    });
  }
  const foreign = new Set<number>();
  actors.forEach((_, k) => {
    const positions = order.flatMap((owner, i) => (owner === k ? [i] : []));
    for (const j of sampleIndices(random, positions.length, foreignPerKey)) {
      foreign.add(positions[j] ?? -1);
    }
  });
  const victims = Array.from({ length: 4 }, () => b.account());
  const first = int(random, 20_000, 900_000);
  const times = spread(random, start + 20_000, spanMs - 20_000, order.length);
  order.forEach((k, i) => {
    const actor = actors[k];
    if (actor === undefined) return;
    const owner = foreign.has(i) ? pick(random, victims) : null;
    b.deny(actor, times[i] ?? start, 'invoice', invoiceId(first + i), owner);
  });
  // Each throw-away account first checks that its key works.
  for (const actor of actors) {
    b.request(actor, {
      ts: start + int(random, 0, 19_000),
      kind: 'invoice',
      status: 200,
      query: 'limit=1',
    });
  }
  return b.finish(
    'attack',
    [{ rule: 'distributed-enumeration', subject: { client_ip: ip }, severity: 'high' }],
    silence(actors, [], []),
  );
}
