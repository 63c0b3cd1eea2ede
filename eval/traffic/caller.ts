/**
 * What one API key can do to the platform, answered the way the platform answers: a request on
 * a resource ID is 2xx only when the resource exists now, in the request's environment, and
 * belongs to the key's account; otherwise `403 ownership_denied`, with the platform's reason in
 * `resource_owner` / `resource_env` (docs/contracts.md, event contract).
 */
import type { Env, Kind } from './ids.js';
import { type Random, chance, pick } from './random.js';
import type { ApiResponse, Simulation } from './simulation.js';
import type { Facts, Key, Resource, World } from './world.js';

export const ROUTES: Readonly<
  Record<Kind, { collection: string; param: string; reads: readonly string[] }>
> = {
  invoice: { collection: 'invoices', param: 'invoice_id', reads: ['/lines', '/pdf'] },
  customer: { collection: 'customers', param: 'customer_id', reads: ['/sources'] },
  subscription: { collection: 'subscriptions', param: 'subscription_id', reads: ['/items'] },
  document: { collection: 'documents', param: 'document_id', reads: ['/content'] },
  file: { collection: 'files', param: 'file_id', reads: ['/download'] },
};

export interface AccessOptions {
  /** Literal path after the ID, e.g. `/pdf`. */
  action?: string;
  /** The answer the platform gave whatever the facts (foreign-access-success: its check failed). */
  status?: number;
}

function latency(random: Random, status: number, method: string, list: boolean): number {
  const skew = random() * random();
  if (status === 403 || status === 429 || status === 401) return 3 + Math.round(skew * 30);
  if (status >= 500) return 200 + Math.round(random() * 4800);
  if (method !== 'GET') return 60 + Math.round(skew * 600);
  return (list ? 40 : 12) + Math.round(skew * (list ? 500 : 250));
}

export class Caller {
  /** Environment of the deployment it calls; the key's own unless an episode says otherwise. */
  env: Env;
  ip: string | null = null;
  userAgent: string;

  constructor(
    readonly sim: Simulation,
    readonly world: World,
    readonly random: Random,
    readonly key: Key,
    readonly episode: string | null,
  ) {
    this.env = key.env;
    this.userAgent = key.userAgent;
  }

  get accountId(): string {
    return this.key.account.id;
  }

  private clientIp(): string {
    if (this.ip !== null) return this.ip;
    const ips = this.key.ips;
    return ips.length === 1 || chance(this.random, 0.85)
      ? (ips[0] as string)
      : pick(this.random, ips);
  }

  private emit(
    fields: Pick<
      ApiResponse,
      'method' | 'path' | 'route' | 'resourceType' | 'resourceId' | 'status'
    > &
      Partial<Pick<ApiResponse, 'error' | 'owner' | 'resourceEnv' | 'keyId' | 'accountId'>>,
  ): void {
    const response: Omit<ApiResponse, 'at'> = {
      episode: this.episode,
      env: this.env,
      error: null,
      keyId: this.key.id,
      accountId: this.accountId,
      clientIp: this.clientIp(),
      userAgent: this.userAgent,
      latencyMs: latency(this.random, fields.status, fields.method, fields.resourceId === null),
      ...fields,
    };
    this.sim.emit(response);
  }

  /** The platform's facts about `id` for this caller, now. */
  facts(id: string): Facts {
    return this.world.facts(id, this.env, this.sim.now);
  }

  /** A request on one resource ID; the facts at this moment decide the answer. */
  access(method: string, kind: Kind, id: string, options: AccessOptions = {}): number {
    const { collection, param } = ROUTES[kind];
    const action = options.action ?? '';
    const facts = this.facts(id);
    const own = facts.owner === this.accountId && facts.resourceEnv === undefined;
    const status = options.status ?? (own ? 200 : 403);
    this.emit({
      method,
      path: `/v1/${collection}/${encodeURIComponent(id)}${action}`,
      route: `/v1/${collection}/{${param}}${action}`,
      resourceType: kind,
      resourceId: id,
      status,
      error: status === 403 ? 'ownership_denied' : null,
      owner: facts.owner,
      ...(facts.resourceEnv === undefined ? {} : { resourceEnv: facts.resourceEnv }),
    });
    return status;
  }

  read(resource: Pick<Resource, 'kind' | 'id'>, action?: string): number {
    return this.access('GET', resource.kind, resource.id, action === undefined ? {} : { action });
  }

  /** `GET /v1/invoices?limit=20`: no resource ID, nothing to own. */
  list(kind: Kind): void {
    const { collection } = ROUTES[kind];
    this.emit({
      method: 'GET',
      path: `/v1/${collection}?limit=${pick(this.random, [10, 20, 50, 100])}`,
      route: `/v1/${collection}`,
      resourceType: kind,
      resourceId: null,
      status: 200,
    });
  }

  /** `POST /v1/invoices` → 201 with the new resource, owned by the caller's account. */
  create(kind: Kind): Resource {
    const resource = this.world.create(this.random, this.key.account, this.env, kind, this.sim.now);
    const { collection } = ROUTES[kind];
    this.emit({
      method: 'POST',
      path: `/v1/${collection}`,
      route: `/v1/${collection}`,
      resourceType: kind,
      resourceId: resource.id,
      status: 201,
      owner: this.accountId,
    });
    return resource;
  }

  update(resource: Resource): number {
    return this.access(chance(this.random, 0.5) ? 'POST' : 'PATCH', resource.kind, resource.id);
  }

  /** `DELETE` of a resource: when it answers 2xx, the ID names nothing from now on. */
  remove(resource: Resource): number {
    const status = this.access('DELETE', resource.kind, resource.id);
    if (status < 300) this.world.remove(resource, this.sim.now);
    return status;
  }

  /** A route with no resource, such as `/v1/balance`. */
  endpoint(path: string): void {
    this.emit({
      method: 'GET',
      path,
      route: path,
      resourceType: null,
      resourceId: null,
      status: 200,
    });
  }

  /** Answered before the resource was looked up: owner unknown. */
  refused(kind: Kind, id: string | null, status: 429 | 500 | 502 | 503 | 400): void {
    const { collection, param } = ROUTES[kind];
    const error = {
      429: 'rate_limited',
      400: 'invalid_request',
      500: 'api_error',
      502: 'bad_gateway',
      503: 'unavailable',
    }[status];
    this.emit({
      method: status === 400 ? 'POST' : 'GET',
      path: id === null ? `/v1/${collection}` : `/v1/${collection}/${encodeURIComponent(id)}`,
      route: id === null ? `/v1/${collection}` : `/v1/${collection}/{${param}}`,
      resourceType: kind,
      resourceId: id,
      status,
      error,
    });
  }

  /** A revoked or mistyped secret: the platform cannot tell whose key it was. */
  unauthorized(kind: Kind): void {
    const { collection } = ROUTES[kind];
    this.emit({
      method: 'GET',
      path: `/v1/${collection}`,
      route: `/v1/${collection}`,
      resourceType: kind,
      resourceId: null,
      status: 401,
      error: 'invalid_api_key',
      keyId: null,
      accountId: null,
    });
  }

  /** A path the router does not know (`/v1/invoice/…`, an old API version). */
  unknownRoute(kind: Kind, id: string): void {
    const { collection } = ROUTES[kind];
    this.emit({
      method: 'GET',
      path: `/${pick(this.random, ['v0', 'v1'])}/${collection.slice(0, -1)}/${encodeURIComponent(id)}`,
      route: null,
      resourceType: null,
      resourceId: null,
      status: 404,
      error: 'route_not_found',
    });
  }
}
