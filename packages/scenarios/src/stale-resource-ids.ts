import {
  MINUTE,
  ScenarioBuilder,
  int,
  keySubject,
  newResourceId,
  silence,
  uniformTimes,
} from './builder.js';
import type { Actor, ResourceKind } from './builder.js';
import type { LabelledScenario, ScenarioContext } from './types.js';

export interface PollingOptions {
  /** Deleted IDs the client keeps polling. */
  ids?: number;
  spanMs?: number;
  pollEveryMs?: number;
  /** Ordinary requests per minute of the same key. */
  ordinaryPerMinute?: number;
}

/**
 * A client polling deleted subscriptions (`resource_owner: null`) on a fixed cadence amid its
 * ordinary traffic; shared by the stale-resource-ids attack and the hours-long benign shape.
 */
export function pollDeletedIds(
  b: ScenarioBuilder,
  actor: Actor,
  start: number,
  options: Required<PollingOptions>,
): void {
  const random = b.random;
  const kind: ResourceKind = 'subscription';
  const deleted = Array.from({ length: options.ids }, () =>
    newResourceId(random, kind, actor.env, start),
  );
  const cycles = Math.floor(options.spanMs / options.pollEveryMs);
  for (let c = 0; c < cycles; c += 1) {
    let ts = start + c * options.pollEveryMs + int(random, 0, 2_000);
    for (const id of deleted) {
      b.deny(actor, ts, kind, id, null);
      ts += int(random, 40, 300);
    }
  }
  const pool = b.pool(actor);
  const count = Math.round((options.spanMs / MINUTE) * options.ordinaryPerMinute);
  for (const ts of uniformTimes(random, start, options.spanMs, count)) b.ordinary(actor, pool, ts);
}

/**
 * A key polls 2 deleted subscription IDs every minute for 40 minutes (80 denials on 2 IDs,
 * first to last about 39 minutes) among 4 ordinary requests a minute. stale-resource-ids fires at
 * info for the key; id-enumeration must not (2 distinct IDs).
 */
export function staleResourceIds(
  ctx: ScenarioContext,
  options: PollingOptions = {},
): LabelledScenario {
  const { ids = 2, spanMs = 40 * MINUTE, pollEveryMs = MINUTE, ordinaryPerMinute = 4 } = options;
  const b = new ScenarioBuilder(ctx, 'attack:stale-resource-ids');
  const start = b.place(spanMs);
  const actor = b.actor();
  pollDeletedIds(b, actor, start, { ids, spanMs, pollEveryMs, ordinaryPerMinute });
  return b.finish(
    'attack',
    [{ rule: 'stale-resource-ids', subject: keySubject(actor), severity: 'info' }],
    silence([actor], [actor.client_ip], ['stale-resource-ids']),
  );
}
