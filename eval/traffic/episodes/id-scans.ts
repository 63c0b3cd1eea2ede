/**
 * Attacks of one key on resource IDs (BOLA/IDOR enumeration, OWASP API1:2023), from the blunt
 * to the evasive. Every guess is answered from the world's facts: a walk over the shared invoice
 * sequence lands on other tenants' invoices (owner set) as much as on missing ones.
 */
import type { Caller } from '../caller.js';
import { type Kind, invoiceId, invoiceNumber, inventedId } from '../ids.js';
import { type Random, chance, int, pick, spread } from '../random.js';
import type { Process } from '../simulation.js';
import { TOOL_USER_AGENTS, type Key, type Resource } from '../world.js';
import { type EpisodeContext, MINUTE, SECOND } from './context.js';

/** A scanner's key: a fresh throwaway account, or (sometimes) a customer's key gone rogue. */
function scannerKey(ctx: EpisodeContext, throwawayShare: number): Key {
  const userAgent = pick(ctx.random, TOOL_USER_AGENTS);
  if (chance(ctx.random, throwawayShare)) {
    const account = ctx.throwawayAccount();
    ctx.param('attacker', 'throwaway account');
    return ctx.world.newKey(ctx.random, account, 'production', { userAgent, claimedBy: ctx.id });
  }
  const account = ctx.claimAccount((a) => a.weight >= 0.5);
  ctx.param('attacker', 'customer key');
  return ctx.world.newKey(ctx.random, account, 'production', { userAgent, claimedBy: ctx.id });
}

/** Guesses of one style: sequential invoice numbers, or random IDs of a kind. */
interface Guesser {
  next(now: number): { kind: Kind; id: string };
  style: string;
}

function sequentialGuesser(
  random: Random,
  from: number,
  direction: 1 | -1,
  maxStep: number,
): Guesser {
  let n = from;
  return {
    style: `sequential inv_{int} ${direction > 0 ? 'up' : 'down'}${maxStep > 1 ? ` steps 1-${maxStep}` : ''}`,
    next() {
      n += direction * int(random, 1, maxStep);
      return { kind: 'invoice', id: invoiceId(Math.max(1, n)) };
    },
  };
}

function randomGuesser(random: Random, kind: Exclude<Kind, 'invoice'>): Guesser {
  return {
    style: `random ${kind === 'document' ? '{uuid}' : `${kind} {ulid}`}`,
    next: (now) => ({ kind, id: inventedId(random, kind, 'production', now) }),
  };
}

function anyRandomGuesser(random: Random): Guesser {
  return randomGuesser(random, pick(random, ['customer', 'subscription', 'document'] as const));
}

/** Starting point of a walk: just below the newest invoices, or at one the attacker owns. */
function walkStart(ctx: EpisodeContext, own: Resource | undefined): number {
  const ownNumber = own === undefined ? null : invoiceNumber(own.id);
  return ownNumber ?? ctx.world.invoiceFrontier - int(ctx.random, 0, 2_000);
}

/** A few reads of the attacker's own resources: the scanner's "known good" control requests. */
function ownRead(caller: Caller, owned: readonly Resource[]): void {
  const r = owned.length > 0 ? pick(caller.random, owned) : undefined;
  if (r === undefined) caller.list('invoice');
  else caller.read(r);
}

/** Sequential integer ID scan: one key walks `inv_{int}` from a known number, fast. */
export function* sequentialScan(ctx: EpisodeContext): Process {
  const key = scannerKey(ctx, 0.7);
  const ids = int(ctx.random, 80, 400);
  const { start, span } = ctx.place(
    Math.max(2 * MINUTE, (ids / int(ctx.random, 15, 120)) * MINUTE),
  );
  const direction = chance(ctx.random, 0.7) ? -1 : 1;
  const maxStep = chance(ctx.random, 0.8) ? 1 : 2;
  Object.assign(ctx.params, {
    ids,
    span_min: Math.round(span / MINUTE),
    direction,
    max_step: maxStep,
  });
  yield start;
  const caller = ctx.caller(key);
  // Sign up and create an invoice, to learn where the sequence stands.
  const own = caller.create('invoice');
  const guesser = sequentialGuesser(ctx.random, walkStart(ctx, own), direction, maxStep);
  for (const at of spread(ctx.random, start + 5 * SECOND, span, ids)) {
    yield at;
    const guess = guesser.next(at);
    caller.access('GET', guess.kind, guess.id);
    if (chance(ctx.random, 0.04)) ownRead(caller, [own]);
  }
}

/** Random ULID/UUID guessing by one key: nothing sequential, almost nothing exists. */
export function* randomGuessing(ctx: EpisodeContext): Process {
  const key = scannerKey(ctx, 0.6);
  const ids = int(ctx.random, 80, 300);
  const perMinute = int(ctx.random, 15, 60);
  const { start, span } = ctx.place((ids / perMinute) * MINUTE);
  const guesser = anyRandomGuesser(ctx.random);
  Object.assign(ctx.params, { ids, span_min: Math.round(span / MINUTE), style: guesser.style });
  yield start;
  const caller = ctx.caller(key);
  const owned = ctx.world.allAlive(key.account, 'production').slice(0, 5);
  for (const at of spread(ctx.random, start, span, ids)) {
    yield at;
    const guess = guesser.next(at);
    caller.access('GET', guess.kind, guess.id);
    if (chance(ctx.random, 0.05)) ownRead(caller, owned);
  }
}

/**
 * Slow scan: 150–250 distinct guesses over about an hour, never 50 (here at most 40) in any
 * 5 minutes, so only a long window can see it.
 */
export function* slowScan(ctx: EpisodeContext): Process {
  const key = scannerKey(ctx, 0.5);
  const { start, span } = ctx.place(int(ctx.random, 45, 60) * MINUTE);
  // Evenly spread, n guesses put about n * 5 min / span (+2 for jitter) in any 5 minutes: keep
  // that at most 40 however much a short run shortens the span.
  const ids = Math.min(int(ctx.random, 150, 250), Math.floor((span / (5 * MINUTE)) * 38));
  const sequential = chance(ctx.random, 0.5);
  Object.assign(ctx.params, { ids, span_min: Math.round(span / MINUTE), sequential });
  yield start;
  const caller = ctx.caller(key);
  const owned = ctx.world.allAlive(key.account, 'production').slice(0, 5);
  const guesser = sequential
    ? sequentialGuesser(ctx.random, int(ctx.random, 150_000, ctx.world.invoiceFrontier), 1, 1)
    : randomGuesser(ctx.random, 'document');
  for (const at of spread(ctx.random, start, span, ids)) {
    yield at;
    const guess = guesser.next(at);
    caller.access('GET', guess.kind, guess.id);
    if (chance(ctx.random, 0.06)) ownRead(caller, owned);
  }
}

/**
 * Padded scan: every guess is surrounded by repeated successful GETs of a handful (3–5) of the
 * key's own resources, so that fewer than 20 % of its requests are denied. Judging by request
 * counts misses it; judging by IDs does not (catalog v1.1).
 */
export function* paddedScan(ctx: EpisodeContext): Process {
  const account = ctx.claimAccount((a) => a.weight >= 1);
  const key = ctx.keyOf(account, 'production', ['app']);
  const own = ctx.ownResources(
    account,
    'production',
    ['invoice', 'customer', 'document'],
    int(ctx.random, 3, 5),
  );
  for (const r of own) r.pinned = true;
  const guesses = int(ctx.random, 100, 300);
  const pads = int(ctx.random, 5, 9);
  const { start, span } = ctx.place(int(ctx.random, 10, 40) * MINUTE);
  const sequential = chance(ctx.random, 0.4);
  Object.assign(ctx.params, {
    guesses,
    pads_per_guess: pads,
    own_resources: own.length,
    span_min: Math.round(span / MINUTE),
    sequential,
  });
  yield start;
  const caller = ctx.caller(key);
  const guesser = sequential
    ? sequentialGuesser(
        ctx.random,
        walkStart(
          ctx,
          own.find((r) => r.kind === 'invoice'),
        ),
        -1,
        1,
      )
    : anyRandomGuesser(ctx.random);
  const slot = span / guesses;
  for (let g = 0; g < guesses; g += 1) {
    const slotStart = start + g * slot;
    const guessAt = Math.floor(pads / 2);
    for (let p = 0; p <= pads; p += 1) {
      yield Math.floor(slotStart + (p + ctx.random()) * (slot / (pads + 1)));
      if (p === guessAt) {
        const guess = guesser.next(ctx.sim.now);
        caller.access('GET', guess.kind, guess.id);
      } else if (own.length > 0) {
        caller.read(pick(ctx.random, own));
      }
    }
  }
}
