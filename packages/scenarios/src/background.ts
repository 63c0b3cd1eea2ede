import { RESOURCE_KINDS, ScenarioBuilder, int, newResourceId, pick, silence } from './builder.js';
import type { Actor, ResourcePool } from './builder.js';
import type { LabelledScenario, ScenarioContext } from './types.js';

export interface BackgroundOptions {
  /** Default 20. */
  accounts?: number;
  /** Default 2. */
  keysPerAccount?: number;
  /** Mean event rate over all keys (Poisson arrivals). Default 2. */
  eventsPerSecond?: number;
  /** Share of a key's requests denied. Default 0.025. */
  denyRate?: number;
  /**
   * Cap on a key's mean denials per minute, so that no key nears a threshold however busy it is:
   * a key with more than `maxDenialsPerKeyPerMinute / denyRate` requests a minute (16 with the
   * defaults) gets a lower deny share. Default 0.4 (6 per 15 minutes).
   */
  maxDenialsPerKeyPerMinute?: number;
  /** Share of accounts in staging when `ctx.env` is not set. Default 0.2. */
  stagingShare?: number;
}

const RETRY_SHARE = 0.25;

interface Member {
  actor: Actor;
  pool: ResourcePool;
  weight: number;
  denyProbability: number;
}

/**
 * Ordinary mixed traffic of many accounts: each key (own client IP, its account's SDK user agent)
 * reads, lists, creates and updates its own resources; about 2.5 % of requests are denied, 70 %
 * of those on missing IDs (each a fresh one) and 30 % on an existing resource of another account
 * of the same environment, a quarter retried once. Keys differ in activity (weights 0.5–2).
 * Labelled benign: every rule stays silent for every key and IP.
 */
export function backgroundTraffic(
  ctx: ScenarioContext,
  options: BackgroundOptions = {},
): LabelledScenario {
  const {
    accounts = 20,
    keysPerAccount = 2,
    eventsPerSecond = 2,
    denyRate = 0.025,
    maxDenialsPerKeyPerMinute = 0.4,
    stagingShare = 0.2,
  } = options;
  const b = new ScenarioBuilder(ctx, 'benign:background');
  const random = b.random;
  const members: Member[] = [];
  const byEnv = new Map<string, Member[]>();
  for (let a = 0; a < accounts; a += 1) {
    const env = ctx.env ?? (random() < stagingShare ? 'staging' : 'production');
    const account = b.account();
    const userAgent = pick(random, [
      'acme-node/5.4.0 node/20.11.1',
      'acme-python/3.2.1 python/3.12.2',
      'acme-go/1.18.0 go1.22.1',
      'acme-java/4.1.2 java/17.0.10',
    ]);
    for (let k = 0; k < keysPerAccount; k += 1) {
      const actor = b.actor({ env, account, userAgent });
      const member: Member = {
        actor,
        pool: b.pool(actor),
        weight: 0.5 + random() * 1.5,
        denyProbability: 0,
      };
      members.push(member);
      const sameEnv = byEnv.get(env) ?? [];
      sameEnv.push(member);
      byEnv.set(env, sameEnv);
    }
  }
  const totalWeight = members.reduce((sum, m) => sum + m.weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const member of members) {
    running += member.weight;
    cumulative.push(running / totalWeight);
    const perMinute = (eventsPerSecond * 60 * member.weight) / totalWeight;
    // A quarter of denials are retried once: that retry counts towards the rate too.
    member.denyProbability =
      Math.min(denyRate, maxDenialsPerKeyPerMinute / perMinute) / (1 + RETRY_SHARE);
  }
  const choose = (): Member => {
    const u = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 1) < u) lo = mid + 1;
      else hi = mid;
    }
    const member = members[lo];
    if (member === undefined) throw new Error('backgroundTraffic: no keys');
    return member;
  };

  const end = ctx.startMs + ctx.durationMs;
  const meanGapMs = 1000 / eventsPerSecond;
  for (let ts = ctx.startMs - Math.log(1 - random()) * meanGapMs; ts < end;) {
    const { actor, pool, denyProbability } = choose();
    if (random() >= denyProbability) {
      b.ordinary(actor, pool, ts);
    } else {
      const others = (byEnv.get(actor.env) ?? []).filter(
        (m) => m.actor.account_id !== actor.account_id,
      );
      const kind = pick(random, RESOURCE_KINDS);
      let id: string;
      let owner: string | null;
      if (others.length > 0 && random() < 0.3) {
        const other = pick(random, others);
        id = pick(random, other.pool[kind]);
        owner = other.actor.account_id;
      } else {
        id = newResourceId(random, kind, actor.env, ts);
        owner = null;
      }
      b.deny(actor, ts, kind, id, owner);
      if (random() < RETRY_SHARE) b.deny(actor, ts + int(random, 150, 2_000), kind, id, owner);
    }
    ts -= Math.log(1 - random()) * meanGapMs;
  }
  return b.finish(
    'benign',
    silence(
      members.map((m) => m.actor),
      members.map((m) => m.actor.client_ip),
    ),
  );
}
