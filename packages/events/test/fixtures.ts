import { parseEvent } from '../src/index.js';
import type { ApiEvent, ParseOptions } from '../src/index.js';

/** Fixed clock for every test: 2025-06-01T00:00:00Z. */
export const NOW = Date.UTC(2025, 5, 1);

export const now = (): number => NOW;

/** A complete, valid v1 denial as a gateway would log it. A fresh object per call. */
export function wireEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts: '2025-05-31T23:59:58.123Z',
    request_id: 'req_01HX3K9V7Q2M8N4P6R5T0W1Y2Z',
    env: 'production',
    method: 'GET',
    path: '/v1/invoices/inv_004512?expand=lines',
    status: 403,
    key_id: 'key_live_7f3a9c1e2b4d',
    account_id: 'acct_000123',
    error: 'ownership_denied',
    route: '/v1/invoices/{invoice_id}',
    resource_type: 'invoice',
    resource_owner: 'acct_000999',
    resource_env: 'production',
    client_ip: '203.0.113.7',
    user_agent: 'curl/8.4.0',
    latency_ms: 12.5,
    ...overrides,
  };
}

/** `wireEvent` without the named fields. */
export function wireEventWithout(...fields: string[]): Record<string, unknown> {
  const event = wireEvent();
  for (const field of fields) delete event[field];
  return event;
}

export function parse(
  input: Record<string, unknown> | string | Uint8Array,
  opts: ParseOptions = {},
): ReturnType<typeof parseEvent> {
  const bytes =
    typeof input === 'string' || input instanceof Uint8Array ? input : JSON.stringify(input);
  return parseEvent(bytes, { now, ...opts });
}

/** The parsed event, failing the test with the reason if it was rejected. */
export function parseOk(
  input: Record<string, unknown> | string | Uint8Array,
  opts: ParseOptions = {},
): ApiEvent {
  const result = parse(input, opts);
  if (!result.ok) throw new Error(`expected the event to parse, got: ${result.reason}`);
  return result.event;
}

/** The rejection reason, failing the test if the event was accepted. */
export function parseReason(
  input: Record<string, unknown> | string | Uint8Array,
  opts: ParseOptions = {},
): string {
  const result = parse(input, opts);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.event)}`);
  return result.reason;
}

/** Deterministic PRNG (mulberry32) so that generated cases are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The v1 contract's fields, in contract order. */
export const REQUIRED_FIELDS = [
  'ts',
  'request_id',
  'env',
  'method',
  'path',
  'status',
  'key_id',
  'account_id',
] as const;

export const OPTIONAL_FIELDS = [
  'error',
  'route',
  'resource_type',
  'resource_id',
  'resource_owner',
  'resource_env',
  'client_ip',
  'user_agent',
  'latency_ms',
] as const;
