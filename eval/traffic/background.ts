/**
 * Everyday traffic of every key: reads of its own resources, lists, creates, updates, the odd
 * delete; 401s, 429s, 5xx and unknown routes at small rates; and a few benign denials — stale
 * IDs of resources the account deleted before, typos, now and then another tenant's ID that a
 * customer's data got mixed up with. Unlabelled: nothing here should page.
 */
import { Caller, ROUTES } from './caller.js';
import { type Kind, KINDS, inventedId } from './ids.js';
import { type Random, between, chance, exponential, int, pick, weighted } from './random.js';
import type { Process, Simulation } from './simulation.js';
import type { Key, World } from './world.js';

const READ_KINDS: readonly (readonly [Kind, number])[] = [
  ['invoice', 0.35],
  ['customer', 0.25],
  ['subscription', 0.15],
  ['document', 0.15],
  ['file', 0.1],
];

/** Share of a key's requests that are benign denials, at most this many per minute. */
const MAX_DENIALS_PER_MINUTE = 0.25;
const ENDPOINTS = ['/v1/balance', '/v1/account', '/v1/events'];

function denyProbability(random: Random, key: Key): number {
  const perMinute = key.perHour / 60;
  const base = between(random, 0.002, 0.012);
  return perMinute <= 0 ? 0 : Math.min(base, MAX_DENIALS_PER_MINUTE / perMinute);
}

/** An ID the key's client may ask for by mistake; null if there is nothing to ask for. */
function mistakenId(caller: Caller, random: Random): { kind: Kind; id: string } | null {
  const { world, key } = caller;
  const roll = random();
  if (roll < 0.7) {
    const grave = key.account.graveyard.get(key.env) ?? [];
    if (grave.length > 0) {
      const r = pick(random, grave);
      return { kind: r.kind, id: r.id };
    }
  }
  if (roll < 0.92 || world.accounts.length < 2) {
    const kind = pick(random, KINDS);
    return { kind, id: inventedId(random, kind, key.env, caller.sim.now) };
  }
  // Another tenant's existing resource: a customer's data mixed up with someone else's.
  const other = pick(random, world.accounts);
  if (other === key.account || other.throwaway) return null;
  const kind = weighted(random, READ_KINDS);
  const r = world.pickAlive(random, other, key.env, kind);
  return r === undefined ? null : { kind, id: r.id };
}

/** One ordinary request of the key on its own resources (never a denial unless facts say so). */
export function ordinaryRequest(caller: Caller, random: Random): void {
  const { world, key } = caller;
  const account = key.account;
  const kind = weighted(random, READ_KINDS);
  const own = world.pickAlive(random, account, caller.env, kind);
  const roll = random();
  if (roll < 0.15 || own === undefined) {
    caller.list(kind);
  } else if (roll < 0.22) {
    if (chance(random, 0.02)) caller.refused(kind, null, 400);
    else caller.create(kind);
  } else if (roll < 0.32) {
    caller.update(own);
  } else if (roll < 0.335) {
    // Customers delete their own things now and then; never what an episode relies on.
    if (!own.pinned && world.pools(account, caller.env)[kind].length > 2) caller.remove(own);
    else caller.read(own);
  } else if (roll < 0.365) {
    caller.endpoint(pick(random, ENDPOINTS));
  } else {
    caller.read(own, chance(random, 0.2) ? pick(random, ROUTES[kind].reads) : undefined);
  }
}

/** A key's everyday traffic from `start` to `end`: Poisson arrivals at its own rate. */
export function* keyBackground(
  sim: Simulation,
  world: World,
  random: Random,
  key: Key,
  start: number,
  end: number,
): Process {
  if (key.perHour <= 0) return;
  const caller = new Caller(sim, world, random, key, null);
  const meanGap = 3_600_000 / key.perHour;
  const denyP = denyProbability(random, key);
  let retry: { at: number; kind: Kind; id: string } | null = null;
  let next = start + exponential(random, meanGap);
  while (Math.min(next, retry?.at ?? Infinity) < end) {
    if (retry !== null && retry.at <= next) {
      yield retry.at;
      caller.access('GET', retry.kind, retry.id);
      retry = null;
      continue;
    }
    yield Math.floor(next);
    next += exponential(random, meanGap);
    const trouble = random();
    const kind = weighted(random, READ_KINDS);
    if (trouble < 0.004) {
      caller.unauthorized(kind);
    } else if (trouble < 0.01) {
      const own = world.pickAlive(random, key.account, caller.env, kind);
      caller.refused(kind, own?.id ?? null, 429);
    } else if (trouble < 0.0125) {
      caller.refused(kind, null, pick(random, [500, 502, 503] as const));
    } else if (trouble < 0.0155) {
      caller.unknownRoute(kind, inventedId(random, kind, key.env, sim.now));
    } else if (trouble < 0.0155 + denyP) {
      const mistake = mistakenId(caller, random);
      if (mistake === null) {
        ordinaryRequest(caller, random);
        continue;
      }
      caller.access('GET', mistake.kind, mistake.id);
      // Client libraries retry some failures once, a moment later.
      if (chance(random, 0.25)) retry = { at: sim.now + int(random, 200, 2_000), ...mistake };
    } else {
      ordinaryRequest(caller, random);
    }
  }
}
