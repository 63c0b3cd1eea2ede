/**
 * Builds the platform as it stands when the traffic starts: accounts of very different sizes,
 * ~3 keys each over the four environments, their addresses (own hosts, a few corporate NATs, a
 * CI provider's shared egress) and their resources, including the ones deleted before the start.
 */
import { type Env, type Kind, KINDS, accountId, invoiceId, mintId } from './ids.js';
import { AddressSpace } from './network.js';
import {
  type Random,
  between,
  chance,
  exponential,
  fork,
  int,
  logNormal,
  pick,
  sample,
  weighted,
} from './random.js';
import { type Account, type Resource, SDK_USER_AGENTS, World } from './world.js';

export interface WorldOptions {
  accounts: number;
  startMs: number;
  /** Mean background requests per hour of an account of weight 1. */
  perAccountPerHour: number;
}

const DAY = 86_400_000;
const HISTORY_MS = 400 * DAY;

const KEY_ENVS: readonly (readonly [Env, number])[] = [
  ['production', 0.55],
  ['staging', 0.25],
  ['sandbox', 0.12],
  ['development', 0.08],
];

/** Resources per kind of a production pool of an account of weight 1. */
const POOL_PER_WEIGHT: Readonly<Record<Kind, number>> = {
  invoice: 25,
  customer: 12,
  subscription: 5,
  document: 6,
  file: 4,
};

function newAccount(random: Random, space: AddressSpace): Account {
  const home = space.network4();
  const hosts = Array.from({ length: int(random, 1, 3) }, () => home.randomHost(random));
  // Some customers call from IPv6 too (cloud providers with dual-stack egress).
  if (chance(random, 0.12)) hosts.push(space.network6().randomHost(random));
  return {
    id: accountId(random),
    weight: Math.min(40, Math.max(0.1, logNormal(random, 0, 1.1))),
    keys: [],
    home,
    hosts: [...new Set(hosts)],
    natIp: null,
    alive: new Map(),
    graveyard: new Map(),
    throwaway: false,
    claimedBy: null,
  };
}

/** Keys of an account: one production key, then 0–4 more over the environments. */
function addAppKeys(
  random: Random,
  world: World,
  account: Account,
  perAccountPerHour: number,
): void {
  const count = weighted(random, [
    [1, 0.15],
    [2, 0.25],
    [3, 0.3],
    [4, 0.18],
    [5, 0.12],
  ] as const);
  const userAgent = pick(random, SDK_USER_AGENTS);
  const envs: Env[] = ['production'];
  for (let i = 1; i < count; i += 1) envs.push(weighted(random, KEY_ENVS));
  const shares = envs.map(
    (env, i) => (i === 0 ? 1 : between(random, 0.2, 1)) * (env === 'production' ? 1 : 0.3),
  );
  const total = shares.reduce((a, b) => a + b, 0);
  const rate = perAccountPerHour * account.weight;
  envs.forEach((env, i) => {
    // Each service of the customer calls from one of its hosts, mostly the same one.
    const ips = sample(random, account.hosts, Math.min(account.hosts.length, int(random, 1, 2)));
    world.newKey(random, account, env, {
      role: 'app',
      ips,
      userAgent,
      perHour: (rate * (shares[i] ?? 0)) / total,
    });
  });
}

function poolSize(kind: Kind, weight: number, env: Env): number {
  const n = POOL_PER_WEIGHT[kind] * weight * (env === 'production' ? 1 : 0.25);
  return Math.max(kind === 'invoice' ? 3 : 1, Math.round(n));
}

/** Non-invoice resources, each minted at its creation time; ~10 % deleted before the start. */
function addOtherResources(
  random: Random,
  world: World,
  account: Account,
  env: Env,
  t0: number,
): void {
  for (const kind of KINDS) {
    if (kind === 'invoice') continue;
    const n = poolSize(kind, account.weight, env);
    const dead = Math.max(kind === 'subscription' ? 1 : 0, Math.round(n * 0.1));
    for (let i = 0; i < n + dead; i += 1) {
      const createdAt = t0 - HISTORY_MS + Math.floor(random() * (HISTORY_MS - 3_600_000));
      const deletedAt = i < n ? Infinity : between(random, createdAt, t0 - 600_000);
      world.add({
        id: mintId(random, kind, env, createdAt),
        kind,
        account,
        env,
        createdAt,
        deletedAt,
        pinned: false,
      });
    }
  }
}

/**
 * Invoices are numbered from one platform-wide sequence. Tenants create them in small batches,
 * so an account's numbers come in short runs with other tenants' numbers in between: walking
 * the sequence from one's own invoice lands on other accounts' invoices at once.
 */
function addInvoices(
  random: Random,
  world: World,
  slots: { account: Account; env: Env }[],
  t0: number,
): void {
  const batches: { slot: number; size: number }[] = [];
  slots.forEach(({ account, env }, slot) => {
    let left = Math.round(poolSize('invoice', account.weight, env) * 1.1);
    while (left > 0) {
      const size = Math.min(left, 1 + Math.floor(exponential(random, 2)));
      batches.push({ slot, size });
      left -= size;
    }
  });
  const order = sample(random, batches, batches.length);
  const total = order.reduce((sum, b) => sum + b.size, 0);
  let issued = 0;
  for (const { slot, size } of order) {
    const { account, env } = slots[slot] as { account: Account; env: Env };
    for (let i = 0; i < size; i += 1) {
      // Numbers rise with time: invoice n was created n/total of the way through the history.
      const createdAt = t0 - HISTORY_MS + Math.floor((issued / total) * (HISTORY_MS - 3_600_000));
      const deletedAt = chance(random, 0.09) ? between(random, createdAt, t0 - 600_000) : Infinity;
      const id = invoiceId(world.takeInvoiceNumber());
      const resource: Resource = {
        id,
        kind: 'invoice',
        account,
        env,
        createdAt,
        deletedAt,
        pinned: false,
      };
      world.add(resource);
      issued += 1;
    }
  }
}

export function buildWorld(seed: number, options: WorldOptions): World {
  const random = fork(seed, 'world');
  const space = new AddressSpace(fork(seed, 'addresses'));
  const world = new World(random, space, int(random, 100_000, 400_000));
  const ciNetwork = space.network4();
  world.ci = { network: ciNetwork, ip: ciNetwork.randomHost(random) };

  for (let i = 0; i < options.accounts; i += 1) {
    const account = newAccount(random, space);
    addAppKeys(random, world, account, options.perAccountPerHour);
    world.accounts.push(account);
  }

  // A few bigger customers put many keys (one per team or laptop) behind their office NAT.
  const natCount = Math.max(2, Math.round(options.accounts / 100));
  const natCandidates = world.accounts.filter((a) => a.weight >= 0.8);
  for (const account of sample(random, natCandidates, natCount)) {
    account.natIp = account.home.randomHost(random);
    const userAgent = pick(random, SDK_USER_AGENTS);
    for (let k = int(random, 10, 30); k > 0; k -= 1) {
      world.newKey(random, account, 'production', {
        role: 'nat',
        ips: [account.natIp],
        perHour: between(random, 5, 40),
        userAgent,
      });
    }
  }

  // One CI provider: its runners share an egress address; a fifth of the customers run CI there.
  const ciIp = world.ci.ip;
  for (const account of world.accounts) {
    if (!chance(random, 0.2)) continue;
    const env = weighted(random, [
      ['staging', 0.5],
      ['production', 0.3],
      ['sandbox', 0.2],
    ] as const);
    world.newKey(random, account, env, {
      role: 'ci',
      ips: [ciIp],
      perHour: between(random, 5, 30),
      userAgent: pick(random, SDK_USER_AGENTS),
    });
  }

  const slots: { account: Account; env: Env }[] = [];
  for (const account of world.accounts) {
    const envs = new Set<Env>(account.keys.map((k) => k.env));
    for (const env of envs) {
      slots.push({ account, env });
      addOtherResources(random, world, account, env, options.startMs);
    }
  }
  addInvoices(random, world, slots, options.startMs);
  return world;
}
