/**
 * Benign bulk workflows of an account on its own resources (catalog v1.1): they touch many IDs
 * and some answer `ownership_denied` with no owner, because the account itself deleted them. None
 * of them may page.
 */
import { ordinaryRequest } from '../background.js';
import { type Kind, inventedId, invoiceNumber } from '../ids.js';
import { chance, int, pick, sample, spread } from '../random.js';
import type { Process } from '../simulation.js';
import type { Key, Resource } from '../world.js';
import { type EpisodeContext, MINUTE, SECOND, type Schedule, runSchedule } from './context.js';

const byNumber = (a: Resource, b: Resource) =>
  (invoiceNumber(a.id) ?? 0) - (invoiceNumber(b.id) ?? 0);

/**
 * Migration: the account bulk-DELETEs a share of its older invoices, and later a migration job
 * walks every invoice number it has on record, in order — the deleted ones included, which answer
 * 403 with no owner. Numerically sequential, many distinct denied IDs, all the account's own.
 */
export function* migrationWalk(ctx: EpisodeContext): Process {
  const { random, world } = ctx;
  const account = ctx.claimAccount((a) => world.pools(a, 'production').invoice.length >= 60);
  const admin = ctx.keyOf(account, 'production', ['app']);
  const job = world.newKey(random, account, 'production', {
    userAgent: 'acme-migrate/1.4 python-requests/2.31.0',
    claimedBy: ctx.id,
  });
  const deleteMin = int(random, 1, 5);
  const gapMin = int(random, 3, 15);
  const walkMin = int(random, 5, 20);
  const { start, span } = ctx.place((deleteMin + gapMin + walkMin) * MINUTE);
  const scale = span / ((deleteMin + gapMin + walkMin) * MINUTE);
  const deletedShare = Math.round((0.2 + random() * 0.5) * 100) / 100;
  yield start;

  // Bulk delete of the older invoices (archived elsewhere), at the start of the stretch.
  const invoices = [...world.pools(account, 'production').invoice].sort(byNumber);
  const older = invoices.slice(0, Math.floor(invoices.length * 0.8));
  const doomed = sample(random, older, Math.round(invoices.length * deletedShare)).sort(byNumber);
  const admin_ = ctx.caller(admin);
  for (const at of spread(random, start, deleteMin * MINUTE * scale, doomed.length)) {
    yield at;
    const r = doomed.pop();
    if (r !== undefined && r.deletedAt === Infinity) admin_.remove(r);
  }

  // The walk: every invoice on the account's records, by number — they still list the ones it
  // deleted today (not those deleted long before, which its records dropped).
  const walkStart = start + Math.floor((deleteMin + gapMin) * MINUTE * scale);
  yield walkStart;
  const everything = [...world.byId.values()].filter(
    (r) =>
      r.account === account &&
      r.kind === 'invoice' &&
      r.env === 'production' &&
      r.createdAt < walkStart &&
      r.deletedAt >= ctx.startMs,
  );
  everything.sort(byNumber);
  Object.assign(ctx.params, {
    invoices: everything.length,
    deleted_share: deletedShare,
    deleted: everything.filter((r) => r.deletedAt <= walkStart).length,
    span_min: Math.round(span / MINUTE),
  });
  const walker = ctx.caller(job);
  const walkSpan = Math.max(MINUTE, start + span - walkStart);
  const times = spread(random, walkStart, walkSpan, everything.length);
  for (let i = 0; i < everything.length; i += 1) {
    yield times[i] ?? walkStart;
    walker.read(everything[i] as Resource);
  }
}

/** Backfill: a job reads thousands of its own resources (several passes), a few of them gone. */
export function* backfill(ctx: EpisodeContext): Process {
  const { random, world } = ctx;
  const account = ctx.claimAccount((a) => world.allAlive(a, 'production').length >= 150);
  const job = world.newKey(random, account, 'production', {
    userAgent: 'acme-etl/2.3 acme-python/3.4.0',
    claimedBy: ctx.id,
  });
  const { start, span } = ctx.place(int(random, 20, 60) * MINUTE);
  const requests = Math.min(int(random, 2_000, 6_000), Math.floor((span / SECOND) * 4));
  const missing = int(random, 5, 30);
  Object.assign(ctx.params, { requests, missing, span_min: Math.round(span / MINUTE) });
  yield start;
  const reader = ctx.caller(job);
  const own = world.allAlive(account, 'production');
  const grave = account.graveyard.get('production') ?? [];
  const missingAt = new Set(
    sample(
      random,
      Array.from({ length: requests }, (_, i) => i),
      missing,
    ),
  );
  const times = spread(random, start, span, requests);
  for (let i = 0; i < requests; i += 1) {
    yield times[i] ?? start;
    if (missingAt.has(i)) {
      // IDs still in the customer's database whose resources were deleted, or typos.
      const gone = grave.length > 0 && chance(random, 0.8) ? pick(random, grave) : undefined;
      const kind: Kind = gone?.kind ?? 'customer';
      reader.access('GET', kind, gone?.id ?? inventedId(random, kind, 'production', ctx.sim.now));
    } else {
      const r = own[i % own.length];
      if (r !== undefined)
        reader.read(r, r.kind === 'invoice' && chance(random, 0.3) ? '/lines' : undefined);
    }
  }
}

/** Clean-up: DELETE resources, then read each back seconds later to check (403, no owner). */
export function cleanupReadback(ctx: EpisodeContext): Process {
  const { random, world } = ctx;
  const account = ctx.claimAccount((a) => world.allAlive(a, 'production').length >= 80);
  const key = ctx.keyOf(account, 'production', ['app']);
  const alive = world.allAlive(account, 'production').filter((r) => !r.pinned);
  const n = Math.min(int(random, 50, 300), Math.floor(alive.length * 0.6));
  const doomed = sample(random, alive, n);
  const { start, span } = ctx.place(int(random, 5, 20) * MINUTE);
  Object.assign(ctx.params, { deleted: n, span_min: Math.round(span / MINUTE) });
  const caller = ctx.caller(key);
  const schedule: Schedule = [];
  spread(random, start, span, n).forEach((at, i) => {
    const r = doomed[i] as Resource;
    schedule.push({ at, run: () => caller.remove(r) });
    schedule.push({ at: at + int(random, 1, 20) * SECOND, run: () => caller.read(r) });
  });
  return runSchedule(schedule);
}

/**
 * Load test in the sandbox: a sandbox key hammers invented IDs that exist nowhere (no tenant's
 * resource is touched), with creates and lists in between and the throttling a load test earns.
 */
export function sandboxLoadTest(ctx: EpisodeContext): Process {
  const { random } = ctx;
  const account = ctx.claimAccount((a) => a.keys.some((k) => k.env === 'sandbox'));
  const key = ctx.keyOf(account, 'sandbox', ['app']);
  const tester = ctx.caller(key);
  tester.env = 'sandbox';
  tester.userAgent = pick(random, [
    'k6/0.52.0 (https://k6.io/)',
    'locust/2.29.0',
    'Apache-HttpClient/4.5.14 (JMeter)',
  ]);
  const requests = int(random, 500, 3_000);
  const { start, span } = ctx.place(int(random, 5, 20) * MINUTE);
  const invented = chance(random, 0.5) ? 0.85 : 0.6;
  Object.assign(ctx.params, {
    requests,
    invented_share: invented,
    span_min: Math.round(span / MINUTE),
  });
  const schedule: Schedule = [];
  for (const at of spread(random, start, span, requests)) {
    schedule.push({
      at,
      run: () => {
        const roll = random();
        const kind = pick(random, ['invoice', 'customer', 'subscription', 'document'] as const);
        if (roll < invented)
          tester.access('GET', kind, inventedId(random, kind, 'sandbox', ctx.sim.now));
        else if (roll < invented + 0.05) tester.refused(kind, null, 429);
        else if (roll < invented + 0.15) tester.create(kind);
        else tester.list(kind);
      },
    });
  }
  return runSchedule(schedule);
}

/**
 * CI on a shared egress: many accounts' CI keys, all from the CI provider's one address, each job
 * creating fixtures, reading them, deleting them, then checking a few are gone (403, no owner).
 */
export function ciSharedEgress(ctx: EpisodeContext): Process {
  const { random, world } = ctx;
  const ip = world.ci?.ip;
  if (ip === undefined) throw new Error(`${ctx.id}: the world has no CI provider`);
  const free = world.accounts.flatMap((a) =>
    a.keys.filter((k) => k.role === 'ci' && k.claimedBy === null),
  );
  let keys: Key[] = sample(random, free, int(random, 15, 40));
  for (const key of keys) key.claimedBy = ctx.id;
  if (keys.length < 12) {
    // Small worlds: more customers start using the CI provider for this run.
    const extra = world.freeAccounts().slice(0, 12 - keys.length);
    keys = [
      ...keys,
      ...extra.map((a) =>
        world.newKey(random, a, 'staging', { ips: [ip], role: 'ci', claimedBy: ctx.id }),
      ),
    ];
  }
  const { start, span } = ctx.place(int(random, 10, 30) * MINUTE);
  Object.assign(ctx.params, { keys: keys.length, span_min: Math.round(span / MINUTE) });
  const schedule: Schedule = [];
  for (const key of keys) {
    const ci = ctx.caller(key);
    ci.ip = ip;
    for (let job = int(random, 1, 3); job > 0; job -= 1) {
      let t = start + Math.floor(random() * Math.max(1, span - 3 * MINUTE));
      const fixtures: Resource[] = [];
      const kinds = Array.from({ length: int(random, 3, 10) }, () =>
        pick(random, ['invoice', 'customer', 'subscription'] as const),
      );
      for (const kind of kinds) {
        schedule.push({
          at: (t += int(random, 200, 3_000)),
          run: () => void fixtures.push(ci.create(kind)),
        });
      }
      const on = (i: number, act: (r: Resource) => void) => () => {
        const r = fixtures[i];
        if (r !== undefined) act(r);
      };
      for (let i = 0; i < kinds.length; i += 1) {
        schedule.push({ at: (t += int(random, 100, 2_000)), run: on(i, (r) => ci.read(r)) });
      }
      for (let i = 0; i < kinds.length; i += 1) {
        schedule.push({ at: (t += int(random, 100, 1_500)), run: on(i, (r) => ci.remove(r)) });
      }
      // The test suite asserts the fixtures are gone: a few reads of its own deleted IDs.
      for (let i = int(random, 1, Math.min(4, kinds.length)) - 1; i >= 0; i -= 1) {
        schedule.push({ at: (t += int(random, 200, 3_000)), run: on(i, (r) => ci.read(r)) });
      }
      schedule.push({ at: t + int(random, 100, 1_000), run: () => ordinaryRequest(ci, random) });
    }
  }
  return runSchedule(schedule);
}
