/**
 * Benign client behaviour that produces denials or many keys per address without any intent to
 * scan (docs/rules.md, the benign shapes each rule must not page on): retries, stale pollers, busy keys,
 * corporate NATs, staging working on staging data. Info-level reports are fine; pages are not.
 */
import { ordinaryRequest } from '../background.js';
import type { Caller } from '../caller.js';
import { type Kind, inventedId } from '../ids.js';
import { type Random, chance, int, pick, spread } from '../random.js';
import type { Process } from '../simulation.js';
import { type Account, type Resource, SDK_USER_AGENTS } from '../world.js';
import { type EpisodeContext, MINUTE, SECOND, type Schedule, runSchedule } from './context.js';

/** A resource of the account deleted before the traffic began, or an ID that never existed. */
function staleIds(
  ctx: EpisodeContext,
  account: Account,
  n: number,
): Pick<Resource, 'kind' | 'id'>[] {
  const grave = [...(account.graveyard.get('production') ?? [])];
  const out: Pick<Resource, 'kind' | 'id'>[] = [];
  while (out.length < n) {
    if (grave.length > 0) {
      out.push(grave.splice(int(ctx.random, 0, grave.length - 1), 1)[0] as Resource);
    } else {
      const kind: Kind = pick(ctx.random, ['invoice', 'subscription', 'customer'] as const);
      out.push({ kind, id: inventedId(ctx.random, kind, 'production', ctx.startMs) });
    }
  }
  return out;
}

/** A client's retry loop stuck on one missing ID: 50–400 denials of the same ID in minutes. */
export function retryOneId(ctx: EpisodeContext): Process {
  const { random } = ctx;
  const account = ctx.claimAccount();
  const key = ctx.keyOf(account, 'production', ['app']);
  const [id] = staleIds(ctx, account, 1);
  const attempts = int(random, 50, 400);
  const { start, span } = ctx.place(int(random, 2, 15) * MINUTE);
  Object.assign(ctx.params, { attempts, span_min: Math.round(span / MINUTE) });
  const caller = ctx.caller(key);
  const schedule: Schedule = spread(random, start, span, attempts).map((at) => ({
    at,
    run: () => id !== undefined && void caller.read(id),
  }));
  return runSchedule(schedule);
}

/** A poller of 1–3 stale IDs, every 30 s – 3 min, for hours (most of the traffic's span). */
export function stalePoller(ctx: EpisodeContext): Process {
  const { random } = ctx;
  const account = ctx.claimAccount();
  const key = ctx.keyOf(account, 'production', ['app']);
  const ids = staleIds(ctx, account, int(random, 1, 3));
  const everyMs = int(random, 30, 180) * SECOND;
  const { start, span } = ctx.place(Math.max(60 * MINUTE, (ctx.endMs - ctx.startMs) * 0.8));
  Object.assign(ctx.params, {
    ids: ids.length,
    every_s: everyMs / SECOND,
    span_min: Math.round(span / MINUTE),
  });
  const caller = ctx.caller(key);
  const schedule: Schedule = [];
  for (let at = start; at < start + span; at += everyMs) {
    ids.forEach((id, i) =>
      schedule.push({ at: at + i * int(random, 50, 400), run: () => void caller.read(id) }),
    );
  }
  return runSchedule(schedule);
}

/**
 * A busy key: several requests a second for half an hour or so, 1–3 % of them denied, each
 * denial on a different missing ID (typos, stale references) — many distinct denied IDs, a low
 * deny ratio, no pattern.
 */
export function busyKeyLowDeny(ctx: EpisodeContext): Process {
  const { random, world } = ctx;
  const account = ctx.claimAccount((a) => world.allAlive(a, 'production').length >= 100);
  const key = ctx.keyOf(account, 'production', ['app']);
  const perSecond = int(random, 2, 5);
  const { start, span } = ctx.place(int(random, 15, 45) * MINUTE);
  const requests = Math.floor((span / SECOND) * perSecond);
  const denyShare = Math.round((0.01 + random() * 0.02) * 1000) / 1000;
  Object.assign(ctx.params, {
    requests,
    per_second: perSecond,
    deny_share: denyShare,
    span_min: Math.round(span / MINUTE),
  });
  const caller = ctx.caller(key);
  const grave = account.graveyard.get('production') ?? [];
  const schedule: Schedule = spread(random, start, span, requests).map((at) => ({
    at,
    run: () => {
      if (!chance(random, denyShare)) return ordinaryRequest(caller, random);
      const gone = grave.length > 0 && chance(random, 0.4) ? pick(random, grave) : undefined;
      const kind: Kind = gone?.kind ?? pick(random, ['invoice', 'customer', 'document'] as const);
      caller.access('GET', kind, gone?.id ?? inventedId(random, kind, 'production', ctx.sim.now));
    },
  }));
  return runSchedule(schedule);
}

/** A short working session of a key: ordinary requests and, rarely, a mistaken ID. */
function session(
  schedule: Schedule,
  caller: Caller,
  random: Random,
  start: number,
  span: number,
  requests: number,
  denials: number,
  mistake: () => Pick<Resource, 'kind' | 'id'>,
): void {
  for (const at of spread(random, start, span, requests))
    schedule.push({ at, run: () => ordinaryRequest(caller, random) });
  for (const at of spread(random, start, span, denials)) {
    schedule.push({ at, run: () => void caller.read(mistake()) });
  }
}

/** A corporate NAT: many keys of one account behind one address, ordinary work, rare denials. */
export function corporateNat(ctx: EpisodeContext): Process {
  const { random, world } = ctx;
  const account = ctx.claimAccount((a) => a.natIp !== null, true);
  let keys = account.keys.filter((k) => k.role === 'nat');
  if (keys.length === 0) {
    // Small worlds run out of NAT accounts: this customer's office gets one for the run.
    const natIp = account.home.randomHost(random);
    account.natIp = natIp;
    const userAgent = pick(random, SDK_USER_AGENTS);
    keys = Array.from({ length: int(random, 10, 30) }, () =>
      world.newKey(random, account, 'production', {
        ips: [natIp],
        role: 'nat',
        userAgent,
        claimedBy: ctx.id,
      }),
    );
  }
  const { start, span } = ctx.place(int(random, 20, 45) * MINUTE);
  Object.assign(ctx.params, { keys: keys.length, span_min: Math.round(span / MINUTE) });
  const schedule: Schedule = [];
  for (const key of keys) {
    const caller = ctx.caller(key);
    const mistake = () => {
      const kind = pick(random, ['invoice', 'customer', 'document'] as const);
      return { kind, id: inventedId(random, kind, 'production', ctx.sim.now) };
    };
    session(schedule, caller, random, start, span, int(random, 10, 60), int(random, 0, 3), mistake);
  }
  return runSchedule(schedule);
}

/**
 * Staging keys on staging data: `sub_test_…` subscriptions and other staging resources, no
 * `resource_env` anywhere (the IDs belong where they are used), a few denials on missing
 * `sub_test_…` IDs.
 */
export function stagingOwnIds(ctx: EpisodeContext): Process {
  const { random, world } = ctx;
  const withStaging = (a: Account) =>
    a.keys.some((k) => k.env === 'staging' && k.role === 'app') &&
    world.pools(a, 'staging').subscription.length > 0;
  const accounts = Array.from({ length: int(random, 2, 5) }, () => ctx.claimAccount(withStaging));
  const { start, span } = ctx.place(int(random, 10, 30) * MINUTE);
  Object.assign(ctx.params, { keys: accounts.length, span_min: Math.round(span / MINUTE) });
  const schedule: Schedule = [];
  for (const account of accounts) {
    const caller = ctx.caller(ctx.keyOf(account, 'staging', ['app']));
    const subs = world.pools(account, 'staging').subscription;
    for (const at of spread(random, start, span, int(random, 20, 60))) {
      schedule.push({
        at,
        run: () =>
          subs.length > 0 ? void caller.read(pick(random, subs)) : caller.list('subscription'),
      });
    }
    const mistake = () => ({
      kind: 'subscription' as const,
      id: inventedId(random, 'subscription', 'staging', ctx.sim.now),
    });
    session(schedule, caller, random, start, span, int(random, 20, 90), int(random, 2, 6), mistake);
  }
  return runSchedule(schedule);
}
