import {
  HOUR,
  MINUTE,
  SDK_USER_AGENTS,
  SECOND,
  ScenarioBuilder,
  int,
  invoiceId,
  newResourceId,
  pick,
  silence,
  spread,
  uniformTimes,
} from './builder.js';
import type { Actor, ResourceKind } from './builder.js';
import { pollDeletedIds } from './stale-resource-ids.js';
import type { PollingOptions } from './stale-resource-ids.js';
import type { LabelledScenario, ScenarioContext } from './types.js';

/** A denial on an ID that does not exist (a typo, a deleted resource), of a random kind. */
function denyMissing(b: ScenarioBuilder, actor: Actor, ts: number): void {
  const kind = pick(b.random, ['invoice', 'customer', 'subscription', 'document'] as const);
  b.deny(actor, ts, kind, newResourceId(b.random, kind, actor.env, ts), null);
}

export interface RetryOneIdOptions {
  /** Default 200. */
  attempts?: number;
  /** Default 5 minutes. */
  spanMs?: number;
  /** Ordinary requests of the same key. Default 20. */
  ordinary?: number;
}

/**
 * A client's retry loop stuck on one deleted invoice: 200 denials on 1 ID in 5 minutes. One
 * distinct ID, persisting 5 minutes: every rule stays silent for the key and its IP.
 */
export function retryOneId(
  ctx: ScenarioContext,
  options: RetryOneIdOptions = {},
): LabelledScenario {
  const { attempts = 200, spanMs = 5 * MINUTE, ordinary = 20 } = options;
  const b = new ScenarioBuilder(ctx, 'benign:retry-one-id');
  const random = b.random;
  const start = b.place(spanMs);
  const actor = b.actor();
  const id = invoiceId(int(random, 10_000, 999_999));
  for (const ts of spread(random, start, spanMs, attempts)) b.deny(actor, ts, 'invoice', id, null);
  const pool = b.pool(actor);
  for (const ts of uniformTimes(random, start, spanMs, ordinary)) b.ordinary(actor, pool, ts);
  return b.finish('benign', silence([actor], [actor.client_ip]));
}

/**
 * A client polling 3 deleted subscriptions every 2 minutes for 2 hours (180 denials on 3 IDs)
 * among 2 ordinary requests a minute. Must not page. stale-resource-ids may (and should) fire
 * at info for this key — that is its purpose — so it is left out of `expect`; every other rule
 * stays silent.
 */
export function fewStaleIdsPolledForHours(
  ctx: ScenarioContext,
  options: PollingOptions = {},
): LabelledScenario {
  const { ids = 3, spanMs = 2 * HOUR, pollEveryMs = 2 * MINUTE, ordinaryPerMinute = 2 } = options;
  const b = new ScenarioBuilder(ctx, 'benign:few-stale-ids-polled-for-hours');
  const start = b.place(spanMs);
  const actor = b.actor();
  pollDeletedIds(b, actor, start, { ids, spanMs, pollEveryMs, ordinaryPerMinute });
  return b.finish('benign', silence([actor], [actor.client_ip], ['stale-resource-ids']));
}

export interface BusyKeyOptions {
  /** All requests, denials included. Default 5,000. */
  requests?: number;
  /** Denials, each on its own ID. Default 40. */
  denials?: number;
  /** Of the denials, how many hit other accounts' existing resources. Default 4. */
  foreignDenials?: number;
  /** Default 10 minutes. */
  spanMs?: number;
}

/**
 * A busy production key (5,000 requests in 10 minutes from a fleet of 3 hosts) with 40 denials
 * on 40 distinct IDs: deny ratio 0.008. Raise `denials` (e.g. to 120) to get a key whose
 * distinct count crosses id-enumeration's and whose deny ratio alone keeps it silent.
 */
export function busyKeyLowDenyRatio(
  ctx: ScenarioContext,
  options: BusyKeyOptions = {},
): LabelledScenario {
  const { requests = 5_000, denials = 40, foreignDenials = 4, spanMs = 10 * MINUTE } = options;
  const b = new ScenarioBuilder(ctx, 'benign:busy-key-low-deny-ratio');
  const random = b.random;
  const start = b.place(spanMs);
  const first = b.actor();
  const fleet: Actor[] = [first, { ...first, client_ip: b.ip() }, { ...first, client_ip: b.ip() }];
  const other = b.account();
  const pool = b.pool(first, { invoice: 200, customer: 80, subscription: 40, document: 40 });
  const times = uniformTimes(random, start, spanMs, requests);
  const denied = new Set(spread(random, 0, requests, denials).map((i) => Math.floor(i)));
  let foreign = 0;
  times.forEach((ts, i) => {
    const actor = pick(random, fleet);
    if (!denied.has(i)) {
      b.ordinary(actor, pool, ts);
    } else if (foreign < foreignDenials) {
      foreign += 1;
      const kind: ResourceKind = 'customer';
      b.deny(actor, ts, kind, newResourceId(random, kind, actor.env, ts), other);
    } else {
      denyMissing(b, actor, ts);
    }
  });
  return b.finish(
    'benign',
    silence(
      [first],
      fleet.map((a) => a.client_ip),
    ),
  );
}

export interface ManyKeysOptions {
  /** Default 50. */
  keys?: number;
  /** Keys per client IP (the account's hosts). Default 2. */
  keysPerIp?: number;
  /** Default 30 minutes. */
  spanMs?: number;
}

/**
 * One account with 50 keys (2 per host), each making 20–60 ordinary requests and being denied on
 * 1–3 distinct IDs over 30 minutes. Every rule stays silent for every key and host.
 */
export function manyKeysRarelyDenied(
  ctx: ScenarioContext,
  options: ManyKeysOptions = {},
): LabelledScenario {
  const { keys = 50, keysPerIp = 2, spanMs = 30 * MINUTE } = options;
  const b = new ScenarioBuilder(ctx, 'benign:many-keys-rarely-denied');
  const random = b.random;
  const start = b.place(spanMs);
  const account = b.account();
  const userAgent = pick(random, SDK_USER_AGENTS);
  let ip = b.ip();
  const actors: Actor[] = [];
  for (let k = 0; k < keys; k += 1) {
    if (k > 0 && k % keysPerIp === 0) ip = b.ip();
    actors.push(b.actor({ account, clientIp: ip, userAgent }));
  }
  const pool = b.pool(actors[0] ?? b.actor({ account }), { invoice: 60, customer: 30 });
  for (const actor of actors) {
    for (const ts of uniformTimes(random, start, spanMs, int(random, 20, 60))) {
      b.ordinary(actor, pool, ts);
    }
    for (const ts of uniformTimes(random, start, spanMs, int(random, 1, 3))) {
      denyMissing(b, actor, ts);
    }
  }
  return b.finish(
    'benign',
    silence(
      actors,
      actors.map((a) => a.client_ip),
    ),
  );
}

export interface CorporateNatOptions {
  /** Keys, one per account, all behind one IP. Default 40. */
  keys?: number;
  /** Default 30 minutes. */
  spanMs?: number;
  /** Default 2. */
  maxDenialsPerKey?: number;
}

/**
 * 40 keys of 40 accounts behind one corporate NAT address, each with 10–40 ordinary requests and
 * 0–2 denials on distinct missing IDs over 30 minutes (at most 2 distinct per key, well under
 * distributed-enumeration's per-key floor). Every rule stays silent.
 */
export function corporateNat(
  ctx: ScenarioContext,
  options: CorporateNatOptions = {},
): LabelledScenario {
  const { keys = 40, spanMs = 30 * MINUTE, maxDenialsPerKey = 2 } = options;
  const b = new ScenarioBuilder(ctx, 'benign:corporate-nat');
  const random = b.random;
  const start = b.place(spanMs);
  const ip = b.ip();
  const actors = Array.from({ length: keys }, () => b.actor({ clientIp: ip }));
  for (const actor of actors) {
    const pool = b.pool(actor);
    for (const ts of uniformTimes(random, start, spanMs, int(random, 10, 40))) {
      b.ordinary(actor, pool, ts);
    }
    for (const ts of uniformTimes(random, start, spanMs, int(random, 0, maxDenialsPerKey))) {
      denyMissing(b, actor, ts);
    }
  }
  return b.finish('benign', silence(actors, [ip]));
}

export interface StagingOptions {
  /** Staging keys, one account each. Default 3. */
  keys?: number;
  /** Default 20 minutes. */
  spanMs?: number;
  /** Default 60. */
  requestsPerKey?: number;
  /** Denials per key on missing `sub_test_…` IDs. Default 4. */
  denialsPerKey?: number;
}

/**
 * Staging keys (`key_test_…`, `env: 'staging'`) working on staging data: subscriptions are
 * `sub_test_…`, no `resource_env` anywhere; some requests are denied on missing `sub_test_…`
 * IDs. cross-environment (and every other rule) stays silent. `ctx.env` does not apply.
 */
export function stagingUsingStagingIds(
  ctx: ScenarioContext,
  options: StagingOptions = {},
): LabelledScenario {
  const { keys = 3, spanMs = 20 * MINUTE, requestsPerKey = 60, denialsPerKey = 4 } = options;
  const b = new ScenarioBuilder({ ...ctx, env: 'staging' }, 'benign:staging-using-staging-ids');
  const random = b.random;
  const start = b.place(spanMs);
  const actors = Array.from({ length: keys }, () => b.actor());
  for (const actor of actors) {
    const pool = b.pool(actor, { subscription: 10 });
    for (const ts of uniformTimes(random, start, spanMs, requestsPerKey)) {
      if (random() < 0.4) b.read(actor, ts, 'subscription', pick(random, pool.subscription));
      else b.ordinary(actor, pool, ts);
    }
    for (const ts of uniformTimes(random, start, spanMs - 5 * SECOND, denialsPerKey)) {
      b.deny(actor, ts, 'subscription', newResourceId(random, 'subscription', actor.env, ts), null);
    }
  }
  return b.finish(
    'benign',
    silence(
      actors,
      actors.map((a) => a.client_ip),
    ),
  );
}
