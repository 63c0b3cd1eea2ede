/** A deterministic generator of v1 API-response events, for tests and benchmarks. */

export interface GeneratedEvent {
  ts: number;
  request_id: string;
  env: string;
  method: string;
  path: string;
  route?: string;
  status: number;
  key_id: string | null;
  account_id: string | null;
  error?: string | null;
  resource_type?: string;
  resource_id?: string;
  resource_owner?: string | null;
  resource_env?: string | null;
  client_ip?: string;
  user_agent?: string;
  latency_ms?: number;
}

/** mulberry32: tiny, seedable, good enough to shape test traffic. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface StreamOptions {
  count: number;
  denialRatio?: number;
  accounts?: number;
  keysPerAccount?: number;
  seed?: number;
  startMs?: number;
  /** Spacing of event times; the default spreads 20k events over about 3 minutes. */
  stepMs?: number;
  requestIdPrefix?: string;
}

const ENVS = ['production', 'production', 'production', 'staging'];

/** Mixed traffic: mostly 2xx/4xx/5xx on own invoices, `denialRatio` ownership_denied on others'. */
export function generateEvents(options: StreamOptions): GeneratedEvent[] {
  const {
    count,
    denialRatio = 0.05,
    accounts = 20,
    keysPerAccount = 3,
    seed = 1,
    startMs = Date.now() - 10 * 60_000,
    stepMs = 10,
    requestIdPrefix = 'req',
  } = options;
  const random = seededRandom(seed);
  const events: GeneratedEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const account = Math.floor(random() * accounts);
    const key = Math.floor(random() * keysPerAccount);
    const env = ENVS[Math.floor(random() * ENVS.length)] ?? 'production';
    const denied = random() < denialRatio;
    const invoice = Math.floor(random() * 100_000);
    const resourceId = `inv_${String(invoice).padStart(6, '0')}`;
    const base = {
      ts: startMs + i * stepMs,
      request_id: `${requestIdPrefix}-${i}`,
      env,
      method: 'GET',
      path: `/v1/invoices/${resourceId}`,
      route: '/v1/invoices/{invoice_id}',
      key_id: `key_${account}_${key}`,
      account_id: `acct_${account}`,
      resource_type: 'invoice',
      client_ip: `10.0.${account}.${key + 1}`,
      user_agent: 'denyscope-test/1.0',
      latency_ms: Math.round(random() * 200),
    };
    if (denied) {
      const owner = random() < 0.5 ? null : `acct_${(account + 1) % accounts}`;
      events.push({ ...base, status: 403, error: 'ownership_denied', resource_owner: owner });
    } else {
      const roll = random();
      const status = roll < 0.85 ? 200 : roll < 0.95 ? 404 : roll < 0.98 ? 429 : 503;
      events.push({
        ...base,
        status,
        error: status === 200 ? null : 'other',
        resource_owner: `acct_${account}`,
      });
    }
  }
  return events;
}

/** Expected request totals per key, as the ingest service must count them. */
export function expectedTotalsByKey(
  events: readonly GeneratedEvent[],
): Map<string, { requests: number; denials: number }> {
  const totals = new Map<string, { requests: number; denials: number }>();
  for (const event of events) {
    const key = event.key_id ?? '';
    const entry = totals.get(key) ?? { requests: 0, denials: 0 };
    entry.requests += 1;
    if (event.status === 403 && event.error === 'ownership_denied') entry.denials += 1;
    totals.set(key, entry);
  }
  return totals;
}
