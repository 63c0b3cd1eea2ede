import { rulesOfKind } from '@denyscope/alerts';
import type { GeneratedEvent } from './event-stream.js';
import type {
  LabelledScenario,
  RuleId,
  ScenarioContext,
  ScenarioExpectation,
  ScenarioSubject,
} from './types.js';

export const SECOND = 1000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** Rules whose subject is a key (RULE_SUBJECT_KINDS), expected silent for a scenario's keys. */
export const KEY_RULES: readonly RuleId[] = rulesOfKind('key');
/** Rules whose subject is a client network, expected silent for a scenario's addresses. */
export const IP_RULES: readonly RuleId[] = rulesOfKind('network');

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CROCKFORD_NOT_HEX = 'GHJKMNPQRSTVWXYZ';
const LETTERS_NOT_HEX = 'ghijkmnpqrstuvwxyzGHJKLMNPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

export const SDK_USER_AGENTS: readonly string[] = [
  'acme-node/5.4.0 node/20.11.1',
  'acme-python/3.2.1 python/3.12.2',
  'acme-go/1.18.0 go1.22.1',
  'acme-ruby/2.9.0 ruby/3.3.0',
  'acme-java/4.1.2 java/17.0.10',
  'okhttp/4.12.0',
  'axios/1.6.8',
];

/** What scanners tend to send. */
export const TOOL_USER_AGENTS: readonly string[] = [
  'python-requests/2.31.0',
  'curl/8.6.0',
  'Go-http-client/1.1',
  'Fuzz Faster U Fool v2.1.0',
];

// ---------------------------------------------------------------------------------------------
// Random helpers: every one takes the scenario's `random`, so a seed fixes the whole scenario.

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Integer in [min, max], both included. */
export function int(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function token(random: () => number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1)
    out += alphabet.charAt(Math.floor(random() * alphabet.length));
  return out;
}

/** `k` distinct indices below `n`, in random order. */
export function sampleIndices(random: () => number, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  const count = Math.min(k, n);
  for (let i = 0; i < count; i += 1) {
    const j = int(random, i, n - 1);
    const a = all[i] ?? 0;
    all[i] = all[j] ?? 0;
    all[j] = a;
  }
  return all.slice(0, count);
}

/** `n` event times spread evenly over `[start, start + span)`, each jittered inside its own slot. */
export function spread(random: () => number, start: number, span: number, n: number): number[] {
  const slot = span / Math.max(n, 1);
  return Array.from({ length: n }, (_, i) => Math.floor(start + slot * i + random() * slot));
}

/** `n` uniformly random event times in `[start, start + span)`, sorted. */
export function uniformTimes(
  random: () => number,
  start: number,
  span: number,
  n: number,
): number[] {
  return Array.from({ length: n }, () => Math.floor(start + random() * span)).sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Names and IDs, shaped like the ones the platform issues (see the resource-ID pattern table).

/** Marker segment of keys and marked IDs: `key_live_…` in production, `key_test_…` in staging. */
export function envMarker(env: string): string {
  switch (env) {
    case 'production':
      return 'live';
    case 'sandbox':
      return 'sbx';
    case 'development':
      return 'dev';
    default:
      return 'test';
  }
}

export function accountId(random: () => number): string {
  return `acct_${b62Token(random, 16)}`;
}

export function keyId(random: () => number, env: string): string {
  return `key_${envMarker(env)}_${b62Token(random, 20)}`;
}

/** A private IPv4 address (10/8): fixtures never name a real host. */
export function clientIp(random: () => number): string {
  return `10.${int(random, 0, 255)}.${int(random, 0, 255)}.${int(random, 1, 254)}`;
}

/** `inv_004512`: pattern `inv_{int}`. */
export function invoiceId(n: number): string {
  return `inv_${String(n).padStart(6, '0')}`;
}

/** A ULID minted at `ms`: 10 time characters (first one 0-7) and 16 random ones. */
export function ulid(random: () => number, ms: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i += 1) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  let rest = token(random, CROCKFORD, 16);
  // A ULID made of digits and A-F only would classify as {hex}: keep one letter beyond F.
  if (![...rest].some((c) => CROCKFORD_NOT_HEX.includes(c))) {
    rest = rest.slice(0, 15) + token(random, CROCKFORD_NOT_HEX, 1);
  }
  return time + rest;
}

/** Random (version 4) UUID, lower case: pattern `{uuid}`. */
export function uuid(random: () => number): string {
  const hex = token(random, HEX, 32);
  const variant = HEX.charAt(8 + Math.floor(random() * 4));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Lower-case hex with at least one digit and one letter, so that it is `{hex}`, not `{int}`. */
export function hexToken(random: () => number, length: number): string {
  const body = token(random, HEX, length - 2);
  return `${body}${token(random, '0123456789', 1)}${token(random, 'abcdef', 1)}`;
}

/** Base62 with a digit and a non-hex letter, so that it is `{b62}`. */
export function b62Token(random: () => number, length: number): string {
  const body = token(random, BASE62, length - 2);
  return `${token(random, LETTERS_NOT_HEX, 1)}${body}${token(random, '0123456789', 1)}`;
}

export type ResourceKind = 'invoice' | 'subscription' | 'customer' | 'document' | 'file';
export const RESOURCE_KINDS: readonly ResourceKind[] = [
  'invoice',
  'subscription',
  'customer',
  'document',
  'file',
];

const ROUTES: Record<ResourceKind, { collection: string; param: string }> = {
  invoice: { collection: 'invoices', param: 'invoice_id' },
  subscription: { collection: 'subscriptions', param: 'subscription_id' },
  customer: { collection: 'customers', param: 'customer_id' },
  document: { collection: 'documents', param: 'document_id' },
  file: { collection: 'files', param: 'file_id' },
};

/**
 * A fresh resource ID of `kind`, minted around `ms`. Subscriptions carry the environment marker
 * outside production (`sub_test_…` in staging) unless `marker` says otherwise (`null`: none).
 */
export function newResourceId(
  random: () => number,
  kind: ResourceKind,
  env: string,
  ms: number,
  marker?: string | null,
): string {
  switch (kind) {
    case 'invoice':
      return invoiceId(int(random, 10_000, 999_999));
    case 'subscription': {
      const m = marker === undefined ? (env === 'production' ? null : envMarker(env)) : marker;
      // Minted some time in the last 90 days.
      const minted = ms - Math.floor(random() * 90 * 24 * HOUR);
      return m === null ? `sub_${ulid(random, minted)}` : `sub_${m}_${ulid(random, minted)}`;
    }
    case 'customer':
      return `cus_${b62Token(random, 14)}`;
    case 'document':
      return uuid(random);
    case 'file':
      return `file_${hexToken(random, 16)}`;
  }
}

export type ResourcePool = Record<ResourceKind, string[]>;

/** The resources an account owns in `env`. */
export function resourcePool(
  random: () => number,
  env: string,
  ms: number,
  size: Partial<Record<ResourceKind, number>> = {},
): ResourcePool {
  const sizes: Record<ResourceKind, number> = {
    invoice: 12,
    subscription: 4,
    customer: 8,
    document: 4,
    file: 4,
    ...size,
  };
  const pool = {} as ResourcePool;
  for (const kind of RESOURCE_KINDS) {
    pool[kind] = Array.from({ length: Math.max(1, sizes[kind]) }, () =>
      newResourceId(random, kind, env, ms),
    );
  }
  return pool;
}

// ---------------------------------------------------------------------------------------------
// Events.

/** Who sends a request: one key of one account, from one address, with one client library. */
export interface Actor {
  env: string;
  key_id: string;
  account_id: string;
  client_ip: string;
  user_agent: string;
}

export interface RequestSpec {
  ts: number;
  method?: string;
  kind: ResourceKind;
  /** The addressed resource; absent for collection routes (`GET /v1/invoices`). */
  id?: string;
  /** Literal path after the ID, e.g. `/pdf` (route `/v1/invoices/{invoice_id}/pdf`). */
  action?: string;
  query?: string;
  status: number;
  error?: string | null;
  /** Owning account; `null`: no such resource; absent: unknown. */
  owner?: string | null;
  /** Only when the ID belongs to another environment than the actor's. */
  resourceEnv?: string;
}

function latencyMs(random: () => number, status: number, method: string, list: boolean): number {
  // Skewed towards the low end: a product of two uniforms.
  const skew = random() * random();
  if (status === 403 || status === 429) return 4 + Math.round(skew * 30);
  if (status >= 500) return 200 + Math.round(random() * 4800);
  if (method !== 'GET') return 60 + Math.round(skew * 600);
  return (list ? 40 : 15) + Math.round(skew * (list ? 500 : 250));
}

/** Collects one scenario's events and turns them into a `LabelledScenario`. */
export class ScenarioBuilder {
  readonly random: () => number;
  /** `ctx.env`, default `production`. */
  readonly env: string;
  private readonly events: GeneratedEvent[] = [];
  private readonly tag: string;
  private readonly endMs: number;

  constructor(
    private readonly ctx: ScenarioContext,
    readonly name: string,
  ) {
    if (!Number.isFinite(ctx.startMs) || !(ctx.durationMs > 0)) {
      throw new RangeError(`${name}: startMs must be finite and durationMs positive`);
    }
    this.random = ctx.random;
    this.env = ctx.env ?? 'production';
    this.endMs = ctx.startMs + ctx.durationMs;
    // Prefix of this scenario's request IDs; a counter follows it, so they never repeat.
    this.tag = token(this.random, BASE36, 10);
  }

  /** Start of a `spanMs` stretch placed at a random offset inside the context's time span. */
  place(spanMs: number): number {
    if (spanMs > this.ctx.durationMs) {
      throw new RangeError(
        `${this.name}: needs durationMs >= ${spanMs} ms, got ${this.ctx.durationMs}`,
      );
    }
    return this.ctx.startMs + Math.floor(this.random() * (this.ctx.durationMs - spanMs));
  }

  account(): string {
    return accountId(this.random);
  }

  ip(): string {
    return clientIp(this.random);
  }

  actor(
    options: { env?: string; account?: string; clientIp?: string; userAgent?: string } = {},
  ): Actor {
    const env = options.env ?? this.env;
    return {
      env,
      key_id: keyId(this.random, env),
      account_id: options.account ?? this.account(),
      client_ip: options.clientIp ?? this.ip(),
      user_agent: options.userAgent ?? pick(this.random, SDK_USER_AGENTS),
    };
  }

  pool(actor: Actor, size?: Partial<Record<ResourceKind, number>>): ResourcePool {
    return resourcePool(this.random, actor.env, this.ctx.startMs, size);
  }

  request(actor: Actor, spec: RequestSpec): void {
    const method = spec.method ?? 'GET';
    const { collection, param } = ROUTES[spec.kind];
    const action = spec.action ?? '';
    const path =
      spec.id === undefined
        ? `/v1/${collection}${action}`
        : `/v1/${collection}/${encodeURIComponent(spec.id)}${action}`;
    const route =
      spec.id === undefined
        ? `/v1/${collection}${action}`
        : `/v1/${collection}/{${param}}${action}`;
    // Offsets such as retries may run past the span's end: keep every event inside the context.
    const ts = Math.min(Math.max(Math.floor(spec.ts), this.ctx.startMs), this.endMs - 1);
    const event: GeneratedEvent = {
      ts,
      request_id: '',
      env: actor.env,
      method,
      path: spec.query === undefined ? path : `${path}?${spec.query}`,
      route,
      status: spec.status,
      key_id: actor.key_id,
      account_id: actor.account_id,
      error: spec.error ?? null,
      resource_type: spec.kind,
    };
    if (spec.owner !== undefined) event.resource_owner = spec.owner;
    if (spec.resourceEnv !== undefined && spec.resourceEnv !== actor.env) {
      event.resource_env = spec.resourceEnv;
    }
    event.client_ip = actor.client_ip;
    event.user_agent = actor.user_agent;
    event.latency_ms = latencyMs(this.random, spec.status, method, spec.id === undefined);
    this.events.push(event);
  }

  /** `403 ownership_denied` on `id`. */
  deny(
    actor: Actor,
    ts: number,
    kind: ResourceKind,
    id: string,
    owner: string | null | undefined,
    resourceEnv?: string,
  ): void {
    const spec: RequestSpec = { ts, kind, id, status: 403, error: 'ownership_denied' };
    if (owner !== undefined) spec.owner = owner;
    if (resourceEnv !== undefined) spec.resourceEnv = resourceEnv;
    this.request(actor, spec);
  }

  /** `200` on one of the actor's own resources. */
  read(actor: Actor, ts: number, kind: ResourceKind, id: string): void {
    this.request(actor, { ts, kind, id, status: 200, owner: actor.account_id });
  }

  /**
   * One ordinary request on the actor's own resources: reads, lists, creates, updates, the odd
   * 400, 429 or 5xx. Never a denial.
   */
  ordinary(actor: Actor, pool: ResourcePool, ts: number): void {
    const random = this.random;
    const kind = pick(random, [
      'invoice',
      'invoice',
      'customer',
      'subscription',
      'document',
      'file',
    ] as const);
    const id = pick(random, pool[kind]);
    const roll = random();
    const trouble = random();
    if (trouble < 0.01) {
      // Throttled before the resource was looked up: owner unknown.
      this.request(actor, { ts, kind, id, status: 429, error: 'rate_limited' });
    } else if (trouble < 0.013) {
      this.request(actor, { ts, kind, id, status: 500, error: 'api_error' });
    } else if (roll < 0.5) {
      this.read(actor, ts, kind, id);
    } else if (roll < 0.7) {
      this.request(actor, { ts, kind, status: 200, query: `limit=${pick(random, [10, 20, 100])}` });
    } else if (roll < 0.8) {
      const status = random() < 0.04 ? 400 : 201;
      this.request(actor, {
        ts,
        method: 'POST',
        kind,
        status,
        error: status === 400 ? 'invalid_request' : null,
      });
    } else if (roll < 0.92) {
      this.request(actor, { ts, method: 'POST', kind, id, status: 200, owner: actor.account_id });
    } else {
      const invoice = pick(random, pool.invoice);
      this.request(actor, {
        ts,
        kind: 'invoice',
        id: invoice,
        action: '/lines',
        status: 200,
        owner: actor.account_id,
      });
    }
  }

  /** Sorts the events by time, numbers their request IDs and labels the scenario. */
  finish(
    kind: LabelledScenario['kind'],
    expect: ScenarioExpectation[],
    silent?: ScenarioExpectation[],
  ): LabelledScenario {
    const events = this.events.sort((a, b) => a.ts - b.ts);
    events.forEach((event, i) => {
      event.request_id = `req_${this.tag}${i.toString(36).padStart(6, '0')}`;
    });
    const scenario: LabelledScenario = { name: this.name, kind, expect, events };
    if (silent !== undefined) scenario.silent = silent;
    return scenario;
  }
}

// ---------------------------------------------------------------------------------------------
// Expectations.

export function keySubject(actor: Actor): ScenarioSubject {
  return { key_id: actor.key_id, account_id: actor.account_id };
}

/** Every rule but `except` silent for each key of `actors` and each of `ips`. */
export function silence(
  actors: readonly Actor[],
  ips: readonly string[],
  except: readonly RuleId[] = [],
): ScenarioExpectation[] {
  const out: ScenarioExpectation[] = [];
  const keys = new Set<string>();
  for (const actor of actors) {
    if (keys.has(actor.key_id)) continue;
    keys.add(actor.key_id);
    for (const rule of KEY_RULES) {
      if (!except.includes(rule)) out.push({ rule, subject: keySubject(actor) });
    }
  }
  for (const ip of new Set(ips)) {
    for (const rule of IP_RULES) {
      if (!except.includes(rule)) out.push({ rule, subject: { client_ip: ip } });
    }
  }
  return out;
}
