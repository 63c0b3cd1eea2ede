/**
 * The platform's state while traffic is generated: accounts, their keys and addresses, and every
 * resource with when it was created and deleted. The facts an event carries (`resource_owner`,
 * `resource_env`) are read from here at the moment of the request, so a resource deleted by one
 * episode is "no such resource" for every later request of any other.
 */
import { type Env, type Kind, KINDS, invoiceId, keyId, mintId } from './ids.js';
import type { AddressSpace, Network } from './network.js';
import { type Random, pick } from './random.js';

export interface Resource {
  id: string;
  kind: Kind;
  account: Account;
  env: Env;
  createdAt: number;
  /** `Infinity` while it exists. */
  deletedAt: number;
  /** An episode relies on it existing: background traffic never deletes it. */
  pinned: boolean;
}

/** `app`: a customer's service; `nat`: behind the account's corporate NAT; `ci`: CI jobs. */
export type KeyRole = 'app' | 'nat' | 'ci' | 'episode';

export interface Key {
  id: string;
  account: Account;
  env: Env;
  role: KeyRole;
  /** The addresses it calls from; the first one most of the time. */
  ips: string[];
  userAgent: string;
  /** Mean background requests per hour; 0 for keys only episodes use. */
  perHour: number;
  /** The label of the episode that uses it, if any: one episode per key keeps labels apart. */
  claimedBy: string | null;
}

export interface Account {
  id: string;
  /** Heavy-tailed size and activity: a few big tenants, many small ones. */
  weight: number;
  keys: Key[];
  home: Network;
  /** The account's own addresses (office, cloud egress). */
  hosts: string[];
  natIp: string | null;
  /** Resources that exist now, per environment and kind. */
  alive: Map<Env, Record<Kind, Resource[]>>;
  /** Resources deleted before the traffic starts: the stale IDs clients still hold. */
  graveyard: Map<Env, Resource[]>;
  /** Created by an attacker for an episode: never in background traffic. */
  throwaway: boolean;
  claimedBy: string | null;
}

export interface Facts {
  /** null: no such resource (never existed, or deleted). */
  owner: string | null;
  /** Only when the resource lives in another environment than the request's. */
  resourceEnv?: Env;
}

export const SDK_USER_AGENTS: readonly string[] = [
  'acme-node/5.4.0 node/20.11.1',
  'acme-node/5.6.2 node/22.3.0',
  'acme-python/3.2.1 python/3.12.2',
  'acme-python/3.4.0 python/3.11.9',
  'acme-go/1.18.0 go1.22.1',
  'acme-ruby/2.9.0 ruby/3.3.0',
  'acme-java/4.1.2 java/17.0.10',
  'acme-php/7.0.1 php/8.3.4',
];

export const TOOL_USER_AGENTS: readonly string[] = [
  'python-requests/2.31.0',
  'curl/8.6.0',
  'Go-http-client/1.1',
  'Fuzz Faster U Fool v2.1.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
];

function emptyPools(): Record<Kind, Resource[]> {
  return { invoice: [], customer: [], subscription: [], document: [], file: [] };
}

export class World {
  readonly accounts: Account[] = [];
  /** Every resource ever issued (alive, deleted or in a graveyard), by ID. */
  readonly byId = new Map<string, Resource>();
  /** The CI provider's shared egress address. */
  ci: { network: Network; ip: string } | null = null;
  private nextInvoice: number;

  constructor(
    readonly random: Random,
    readonly addresses: AddressSpace,
    /** First invoice number of the platform's sequence. */
    firstInvoice: number,
  ) {
    this.nextInvoice = firstInvoice;
  }

  /** The next number of the global invoice sequence: other tenants' invoices are neighbours. */
  takeInvoiceNumber(): number {
    const n = this.nextInvoice;
    this.nextInvoice += 1;
    return n;
  }

  /** Highest invoice number issued so far. */
  get invoiceFrontier(): number {
    return this.nextInvoice - 1;
  }

  pools(account: Account, env: Env): Record<Kind, Resource[]> {
    let pools = account.alive.get(env);
    if (pools === undefined) {
      pools = emptyPools();
      account.alive.set(env, pools);
    }
    return pools;
  }

  /** Registers a resource; alive ones join the account's pool. */
  add(resource: Resource): Resource {
    this.byId.set(resource.id, resource);
    if (resource.deletedAt === Infinity)
      this.pools(resource.account, resource.env)[resource.kind].push(resource);
    else {
      const grave = resource.account.graveyard.get(resource.env) ?? [];
      grave.push(resource);
      resource.account.graveyard.set(resource.env, grave);
    }
    return resource;
  }

  /** A new resource created now (a `POST` that answered 201). */
  create(random: Random, account: Account, env: Env, kind: Kind, now: number): Resource {
    const id =
      kind === 'invoice' ? invoiceId(this.takeInvoiceNumber()) : mintId(random, kind, env, now);
    return this.add({ id, kind, account, env, createdAt: now, deletedAt: Infinity, pinned: false });
  }

  /** A `DELETE` that answered 2xx: from now on the ID names no resource. */
  remove(resource: Resource, now: number): void {
    if (resource.deletedAt !== Infinity) return;
    resource.deletedAt = now;
    const pool = this.pools(resource.account, resource.env)[resource.kind];
    const i = pool.indexOf(resource);
    if (i >= 0) {
      pool[i] = pool[pool.length - 1] as Resource;
      pool.pop();
    }
  }

  /** What the platform knows about `id` when a request in `env` addresses it at `now`. */
  facts(id: string, env: Env, now: number): Facts {
    const r = this.byId.get(id);
    if (r === undefined || now < r.createdAt || now >= r.deletedAt) return { owner: null };
    return r.env === env ? { owner: r.account.id } : { owner: r.account.id, resourceEnv: r.env };
  }

  /** A random existing resource of the account, or undefined if it has none of that kind. */
  pickAlive(random: Random, account: Account, env: Env, kind: Kind): Resource | undefined {
    const pool = this.pools(account, env)[kind];
    return pool.length === 0 ? undefined : pick(random, pool);
  }

  /** Every existing resource of the account in `env`. */
  allAlive(account: Account, env: Env): Resource[] {
    const pools = this.pools(account, env);
    return KINDS.flatMap((kind) => pools[kind]);
  }

  /** Accounts with a background presence that no episode has taken yet. */
  freeAccounts(filter: (account: Account) => boolean = () => true): Account[] {
    return this.accounts.filter((a) => !a.throwaway && a.claimedBy === null && filter(a));
  }

  /**
   * A new key of the account. Without `perHour` it sends no background traffic: a key an
   * account adds for a job, or an attacker's key, used only by the episode that made it.
   */
  newKey(
    random: Random,
    account: Account,
    env: Env,
    options: {
      ips?: string[];
      userAgent?: string;
      role?: KeyRole;
      perHour?: number;
      claimedBy?: string;
    } = {},
  ): Key {
    const key: Key = {
      id: keyId(random, env),
      account,
      env,
      role: options.role ?? 'episode',
      ips: options.ips ?? [pick(random, account.hosts)],
      userAgent: options.userAgent ?? pick(random, SDK_USER_AGENTS),
      perHour: options.perHour ?? 0,
      claimedBy: options.claimedBy ?? null,
    };
    account.keys.push(key);
    return key;
  }
}
