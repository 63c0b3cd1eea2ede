/**
 * Micro-benchmark behind the choice of a hand-written validator over zod for `parseEvent`.
 * Run from the repository root: `npx tsx packages/events/bench/parse-throughput.ts`.
 *
 * Every variant does the same work on the same ~400-byte Buffers (fatal UTF-8 decode,
 * JSON.parse, full v1 validation, camelCase ApiEvent with a derived resourceId) except the one
 * marked as a baseline, so the differences are the validators'.
 */
import { deriveResourceId, parseEvent, apiEventV1Schema } from '../src/index.js';
import type { ApiEvent, ParseResult } from '../src/index.js';

const DURATION_MS = 1500;
const ROUNDS = 5;

function makeMessages(count: number, withResourceId: boolean): Buffer[] {
  const messages: Buffer[] = [];
  const base = Date.UTC(2025, 0, 1);
  for (let i = 0; i < count; i++) {
    const denied = i % 3 === 0;
    const invoice = `inv_${String(4000 + i).padStart(6, '0')}`;
    const event: Record<string, unknown> = {
      ts: new Date(base + i * 37).toISOString(),
      request_id: `req_01HX3K9V7Q2M8N4P6R5T${String(i).padStart(6, '0')}`,
      env: i % 10 === 0 ? 'staging' : 'production',
      method: 'GET',
      path: `/v1/invoices/${invoice}?expand=lines`,
      status: denied ? 403 : 200,
      key_id: `key_live_${(i % 50).toString(16).padStart(12, '0')}`,
      account_id: `acct_${String(i % 50).padStart(8, '0')}`,
      error: denied ? 'ownership_denied' : null,
      route: '/v1/invoices/{invoice_id}',
      resource_type: 'invoice',
      resource_owner: denied
        ? i % 2 === 0
          ? null
          : 'acct_00000099'
        : `acct_${String(i % 50).padStart(8, '0')}`,
      client_ip: `203.0.113.${i % 250}`,
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) denyscope-bench/1.0',
      latency_ms: (i % 400) / 4,
    };
    if (withResourceId) event.resource_id = invoice;
    messages.push(Buffer.from(JSON.stringify(event)));
  }
  return messages;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function baseline(bytes: Buffer): unknown {
  return JSON.parse(utf8.decode(bytes));
}

/** The same pipeline with zod doing the validation, as it would have been written with it. */
function parseWithZod(bytes: Buffer): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  const result = apiEventV1Schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}` };
  }
  const d = result.data;
  const route = d.route ?? null;
  const event: ApiEvent = {
    ts: typeof d.ts === 'number' ? Math.floor(d.ts) : Date.parse(d.ts),
    requestId: d.request_id,
    env: d.env,
    method: d.method,
    path: d.path,
    status: d.status,
    keyId: d.key_id,
    accountId: d.account_id,
    error: d.error ?? null,
    route,
    resourceType: d.resource_type ?? null,
    resourceId: d.resource_id ? d.resource_id : deriveResourceId(d.path, route),
    resourceOwner: d.resource_owner,
    resourceEnv: d.resource_env ?? null,
    clientIp: d.client_ip ?? null,
    userAgent: d.user_agent == null ? null : d.user_agent.slice(0, 512),
    latencyMs: d.latency_ms ?? null,
    isDenial: d.status === 403 && d.error === 'ownership_denied',
  };
  return { ok: true, event };
}

function measure(name: string, messages: Buffer[], run: (bytes: Buffer) => unknown): number {
  let count = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < DURATION_MS) {
    for (const message of messages) {
      if (run(message) !== undefined) sink++;
    }
    count += messages.length;
    elapsed = performance.now() - start;
  }
  if (sink !== count) throw new Error(`${name}: a variant returned nothing`);
  return (count / elapsed) * 1000;
}

const derived = makeMessages(1000, false);
const given = makeMessages(1000, true);
const averageBytes = derived.reduce((sum, m) => sum + m.byteLength, 0) / derived.length;
for (const message of derived.slice(0, 50)) {
  const hand = parseEvent(message);
  const zod = parseWithZod(message);
  if (!hand.ok || !zod.ok) throw new Error(`fixture rejected: ${JSON.stringify([hand, zod])}`);
}

const variants: [string, Buffer[], (bytes: Buffer) => unknown][] = [
  ['baseline: decode + JSON.parse only', derived, baseline],
  ['parseEvent (hand-written)', derived, (b) => parseEvent(b)],
  ['parseEvent, resource_id given', given, (b) => parseEvent(b)],
  ['decode + JSON.parse + zod 4 + mapping', derived, parseWithZod],
];
const best = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, messages, run] of variants) {
    best.set(name, Math.max(best.get(name) ?? 0, measure(name, messages, run)));
  }
}
console.log(
  `node ${process.version}, ${derived.length} events of ${averageBytes.toFixed(0)} bytes`,
);
const reference = best.get('baseline: decode + JSON.parse only') ?? 1;
for (const [name, perSecond] of best) {
  const share = ((reference / perSecond) * 100).toFixed(0);
  console.log(
    `${name.padEnd(40)} ${Math.round(perSecond).toLocaleString('en-US').padStart(9)} events/s  (baseline = ${share} % of its time)`,
  );
}
