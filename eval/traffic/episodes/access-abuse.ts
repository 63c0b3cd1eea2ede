/**
 * Attacks and leaks a key commits on resources that really exist: other tenants' (cross-tenant
 * probing, and the platform's own authorization failing: a 2xx on another account's resource),
 * or its own account's resources in another environment (cross-environment leaks).
 */
import { ordinaryRequest } from '../background.js';
import { type Env, type Kind } from '../ids.js';
import { chance, int, pick, spread } from '../random.js';
import type { Process } from '../simulation.js';
import type { Account, Resource } from '../world.js';
import { type EpisodeContext, MINUTE, type Schedule, runSchedule } from './context.js';

const FOREIGN_KINDS: readonly Kind[] = ['invoice', 'customer', 'subscription', 'document', 'file'];

/** Other accounts with production resources to take from; never the prober's own. */
function victims(ctx: EpisodeContext, self: Account, n: number): Account[] {
  const candidates = ctx.world.accounts.filter(
    (a) => a !== self && !a.throwaway && ctx.world.allAlive(a, 'production').length >= 15,
  );
  const chosen: Account[] = [];
  while (chosen.length < n && candidates.length > 0) {
    const i = int(ctx.random, 0, candidates.length - 1);
    chosen.push(candidates[i] as Account);
    candidates.splice(i, 1);
  }
  return chosen;
}

/**
 * Cross-tenant probing: a customer's key asks for 10–40 distinct resources that exist and belong
 * to one to three other accounts — someone holds a list of foreign IDs. Its ordinary traffic goes
 * on around it.
 */
export function crossTenantProbing(ctx: EpisodeContext): Process {
  const { random } = ctx;
  const account = ctx.claimAccount((a) => a.weight >= 0.5);
  const key = ctx.keyOf(account, 'production', ['app']);
  const victimAccounts = victims(ctx, account, int(random, 1, 3));
  const targets: Resource[] = [];
  const wanted = int(random, 10, 40);
  for (let i = 0; targets.length < wanted && i < wanted * 4; i += 1) {
    const victim = pick(random, victimAccounts);
    const r = ctx.world.pickAlive(random, victim, 'production', pick(random, FOREIGN_KINDS));
    if (r !== undefined && !targets.includes(r)) targets.push(r);
  }
  const { start, span } = ctx.place(int(random, 3, 15) * MINUTE);
  Object.assign(ctx.params, {
    foreign_resources: targets.length,
    victims: victimAccounts.length,
    span_min: Math.round(span / MINUTE),
  });
  const caller = ctx.caller(key);
  const schedule: Schedule = [];
  for (const r of targets) {
    for (let n = chance(random, 0.3) ? 2 : 1; n > 0; n -= 1) {
      schedule.push({ at: start + Math.floor(random() * span), run: () => caller.read(r) });
    }
  }
  for (const at of spread(random, start, span, int(random, 10, 60))) {
    schedule.push({ at, run: () => ordinaryRequest(caller, random) });
  }
  return runSchedule(schedule);
}

/**
 * Foreign access success: the platform answered 2xx on another account's resource — its
 * authorization check failed. A few such answers, sometimes after a few denied tries.
 */
export function foreignAccessSuccess(ctx: EpisodeContext): Process {
  const { random } = ctx;
  const account = ctx.claimAccount((a) => a.weight >= 0.3);
  const key = ctx.keyOf(account, 'production', ['app']);
  const [victim] = victims(ctx, account, 1);
  if (victim === undefined) throw new Error(`${ctx.id}: no victim account with resources`);
  const targets = ctx.ownResources(
    victim,
    'production',
    ['document', 'file', 'invoice'],
    int(random, 1, 4),
  );
  for (const r of targets) r.pinned = true;
  const misses = ctx.ownResources(
    victim,
    'production',
    ['customer', 'subscription'],
    int(random, 0, 3),
  );
  const { start, span } = ctx.place(int(random, 1, 10) * MINUTE);
  Object.assign(ctx.params, {
    successes: targets.length,
    denied_tries: misses.length,
    span_min: Math.round(span / MINUTE),
  });
  const caller = ctx.caller(key);
  const schedule: Schedule = [];
  const times = spread(random, start, span, misses.length + targets.length);
  [...misses, ...targets].forEach((r, i) => {
    const at = times[i] ?? start;
    const success = i >= misses.length;
    schedule.push({
      at,
      run: () => caller.access('GET', r.kind, r.id, success ? { status: 200 } : {}),
    });
  });
  return runSchedule(schedule);
}

interface LeakShape {
  /** Environment of the deployment the key calls. */
  callsEnv: Env;
  /** Environment of the key (its marker). */
  keyEnv: Env;
  /** Environment the addressed IDs belong to. */
  idsEnv: Env;
}

/**
 * A key addressing its own account's IDs of another environment, repeatedly (configuration or
 * data copied across): 5–30 requests on 2–6 IDs over 10–40 minutes, amid its ordinary work.
 */
function crossEnvironmentLeak(ctx: EpisodeContext, shape: LeakShape): Process {
  const { random, world } = ctx;
  const hasPools = (a: Account) =>
    world.allAlive(a, shape.idsEnv).length >= 6 && a.keys.some((k) => k.env === shape.keyEnv);
  const account = ctx.claimAccount(hasPools);
  const key = ctx.keyOf(account, shape.keyEnv);
  let ids = ctx.ownResources(
    account,
    shape.idsEnv,
    ['subscription', 'customer', 'invoice', 'document'],
    int(random, 2, 6),
  );
  if (ids.length === 0) {
    // An account without resources there gets a few: created long ago, like the rest.
    ids = ['subscription', 'customer'].map((kind) =>
      world.create(random, account, shape.idsEnv, kind as Kind, ctx.startMs - 86_400_000),
    );
  }
  for (const r of ids) r.pinned = true;
  const requests = int(random, 5, 30);
  const { start, span } = ctx.place(int(random, 10, 40) * MINUTE);
  Object.assign(ctx.params, {
    ...shape,
    requests,
    distinct_ids: ids.length,
    span_min: Math.round(span / MINUTE),
  });
  const leaking = ctx.caller(key);
  leaking.env = shape.callsEnv;
  // Its ordinary work runs in the key's own environment.
  const normal = ctx.caller(key);
  const schedule: Schedule = [];
  for (const at of spread(random, start, span, requests)) {
    schedule.push({ at, run: () => leaking.read(pick(random, ids)) });
  }
  for (const at of spread(random, start, span, int(random, 10, 40))) {
    schedule.push({ at, run: () => ordinaryRequest(normal, random) });
  }
  return runSchedule(schedule);
}

/** Production IDs used by a staging key in staging: production data left its controls. */
export function crossEnvProductionIdsInStaging(ctx: EpisodeContext): Process {
  return crossEnvironmentLeak(ctx, {
    callsEnv: 'staging',
    keyEnv: 'staging',
    idsEnv: 'production',
  });
}

/**
 * Staging leaking into production: either a production key configured with staging IDs, or a
 * staging key (`key_test_…`) calling production with its staging IDs.
 */
export function crossEnvStagingInProduction(ctx: EpisodeContext): Process {
  const keyEnv: Env = chance(ctx.random, 0.5) ? 'production' : 'staging';
  return crossEnvironmentLeak(ctx, { callsEnv: 'production', keyEnv, idsEnv: 'staging' });
}
