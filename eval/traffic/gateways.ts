/**
 * The API gateways that write each response as a v1 log line. They disagree the way real fleets
 * do: one is plain; one's clock lags by up to 2 minutes (its `ts` is behind, so its events arrive
 * out of order in event time); a legacy one writes `ts` as epoch milliseconds and leaves out
 * `route`, `resource_type` and `resource_id` (ingest must derive the ID from `path`). Lines are
 * ordered by arrival at Kafka, not by `ts`.
 */
import { requestId, token } from './ids.js';
import { type Random, between, int, weighted } from './random.js';
import type { ApiResponse } from './simulation.js';

export const GATEWAYS = ['gw-main', 'gw-lagging', 'gw-legacy'] as const;
export type GatewayId = (typeof GATEWAYS)[number];

const SHARES: readonly (readonly [GatewayId, number])[] = [
  ['gw-main', 0.55],
  ['gw-lagging', 0.3],
  ['gw-legacy', 0.15],
];

/** `event`: a v1 event; `duplicate`: the same line delivered again; the rest: see noise.ts. */
export type LineKind = 'event' | 'duplicate' | 'malformed' | 'hostile';

export interface Line {
  /** When it reached Kafka: the order of the output. */
  arrival: number;
  text: string;
  kind: LineKind;
  /** The episode whose request it records (events and their duplicates only). */
  episode: string | null;
  /** The event time the line carries (what the detector sees), null if it has none. */
  ts: number | null;
}

export const MAX_LAG_MS = 120_000;
const MIN_LAG_MS = 5_000;
const LEGACY_FLUSH_MS = 5_000;

export class GatewayWriter {
  private readonly prefix: string;
  private count = 0;
  private readonly lagPeriod: number;
  private readonly lagPhase: number;

  constructor(
    private readonly random: Random,
    startMs: number,
  ) {
    this.prefix = token(random, '0123456789abcdefghijklmnopqrstuvwxyz', 6);
    this.lagPeriod = between(random, 40, 80) * 60_000;
    this.lagPhase = startMs + random() * this.lagPeriod;
  }

  /** How far behind true time the lagging gateway's clock is at `at`: drifts within 5–120 s. */
  lagAt(at: number): number {
    const wave = 0.5 + 0.5 * Math.sin((2 * Math.PI * (at - this.lagPhase)) / this.lagPeriod);
    return Math.round(MIN_LAG_MS + (MAX_LAG_MS - MIN_LAG_MS) * wave);
  }

  write(r: ApiResponse): Line {
    const gateway = weighted(this.random, SHARES);
    const id = requestId(this.prefix, this.count);
    this.count += 1;
    let ts: string | number;
    let written: number;
    let arrival: number;
    if (gateway === 'gw-legacy') {
      written = r.at;
      ts = r.at;
      // It ships its log in batches every few seconds.
      arrival = Math.ceil(r.at / LEGACY_FLUSH_MS) * LEGACY_FLUSH_MS + int(this.random, 50, 900);
    } else if (gateway === 'gw-lagging') {
      written = r.at - this.lagAt(r.at);
      ts = new Date(written).toISOString().replace('Z', '+00:00');
      arrival = r.at + int(this.random, 20, 400);
    } else {
      written = r.at;
      ts = new Date(r.at).toISOString();
      arrival = r.at + int(this.random, 20, 400);
    }
    const legacy = gateway === 'gw-legacy';
    const event: Record<string, unknown> = {
      ts,
      request_id: id,
      env: r.env,
      method: r.method,
      path: r.path,
    };
    if (!legacy && r.route !== null) event.route = r.route;
    event.status = r.status;
    event.key_id = r.keyId;
    event.account_id = r.accountId;
    if (!legacy || r.error !== null) event.error = r.error;
    if (!legacy && r.resourceType !== null) event.resource_type = r.resourceType;
    if (!legacy && r.resourceId !== null) event.resource_id = r.resourceId;
    if (r.owner !== undefined) event.resource_owner = r.owner;
    if (r.resourceEnv !== undefined) event.resource_env = r.resourceEnv;
    event.client_ip = r.clientIp;
    event.user_agent = r.userAgent;
    event.latency_ms = r.latencyMs;
    // Not in the v1 contract (unknown fields are ignored): says which gateway wrote the line.
    event.gateway = gateway;
    return { arrival, text: JSON.stringify(event), kind: 'event', episode: r.episode, ts: written };
  }
}
