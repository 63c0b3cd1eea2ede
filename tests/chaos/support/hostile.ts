import type { GeneratedEvent } from '@denyscope/scenarios';

/** One message of the flood's bad half, with the start of the reason ingest must give. */
export interface BadMessage {
  kind: string;
  value: Buffer | null;
  reason: RegExp;
}

const NESTING = 100_000;

function event(i: number): Record<string, unknown> {
  return {
    ts: Date.now() - 5 * 60_000,
    request_id: `bad-${i}`,
    env: 'production',
    method: 'GET',
    path: `/v1/invoices/inv_${i}`,
    status: 403,
    key_id: 'key_live_flood',
    account_id: 'acct_flood',
    error: 'ownership_denied',
    resource_owner: null,
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Malformed and hostile messages of a few hundred bytes: most of the bad half. */
const SMALL: ((i: number) => BadMessage)[] = [
  (i) => ({
    kind: 'truncated JSON',
    value: json(event(i)).subarray(0, 60),
    reason: /^invalid JSON/,
  }),
  (i) => {
    // Valid JSON around bytes that are not UTF-8 (a lone continuation byte and 0xFF).
    const [head, tail] = JSON.stringify({ ...event(i), resource_id: 'SPLIT' }).split('SPLIT');
    return {
      kind: 'invalid UTF-8',
      value: Buffer.concat([
        Buffer.from(head ?? ''),
        Buffer.from([0x80, 0xff, 0xfe]),
        Buffer.from(tail ?? ''),
      ]),
      reason: /^invalid UTF-8/,
    };
  },
  (i) => ({
    kind: 'prototype pollution keys only',
    value: Buffer.from(
      `{"__proto__":{"polluted":${i}},"constructor":{"prototype":{"polluted":true}},"prototype":{"isAdmin":true}}`,
    ),
    reason: /^missing required field/,
  }),
  (i) => ({
    kind: 'status 1e400',
    value: Buffer.from(JSON.stringify(event(i)).replace('"status":403', '"status":1e400')),
    reason: /^status/,
  }),
  (i) => ({ kind: 'ts 1e300', value: json({ ...event(i), ts: 1e300 }), reason: /^ts/ }),
  (i) => ({
    kind: 'status as string',
    value: json({ ...event(i), status: '403' }),
    reason: /^status/,
  }),
  (i) => ({
    kind: 'request_id object',
    value: json({ ...event(i), request_id: { $ne: null } }),
    reason: /^request_id/,
  }),
  (i) => ({ kind: 'key_id number', value: json({ ...event(i), key_id: 42 }), reason: /^key_id/ }),
  (i) => ({
    kind: 'env array',
    value: json({ ...event(i), env: ['production'] }),
    reason: /^env/,
  }),
  (i) => ({ kind: 'unknown env', value: json({ ...event(i), env: 'mars' }), reason: /^env/ }),
  () => ({ kind: 'empty', value: Buffer.alloc(0), reason: /^empty message/ }),
  () => ({ kind: 'null record', value: null, reason: /^empty message/ }),
  () => ({
    kind: 'JSON null',
    value: Buffer.from('null'),
    reason: /^expected a JSON object, got null/,
  }),
  () => ({
    kind: 'JSON string',
    value: Buffer.from('"__proto__"'),
    reason: /^expected a JSON object/,
  }),
  () => ({ kind: 'NUL bytes', value: Buffer.from('{\u0000"ts":1}'), reason: /^invalid JSON/ }),
];

/** Hostile messages of about 200 KB, just under the size limit, so that they reach JSON.parse. */
const LARGE: ((i: number) => BadMessage)[] = [
  () => ({
    kind: `${NESTING} nested arrays`,
    value: Buffer.from('['.repeat(NESTING) + ']'.repeat(NESTING)),
    reason: /^(expected a JSON object|invalid JSON)/,
  }),
  (i) => ({
    kind: '40000 nested objects as request_id',
    value: Buffer.from(
      `{"ts":${Date.now()},"request_id":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)},"bad":${i}}`,
    ),
    reason: /^(request_id|invalid JSON)/,
  }),
  (i) => ({
    kind: 'path of 200 KB',
    value: json({ ...event(i), path: `/${'p'.repeat(200_000)}` }),
    reason: /^path/,
  }),
];

/** One in this many bad messages is a large one. */
const LARGE_EVERY = 100;

/**
 * The i-th message of the flood's bad half: each must be dead-lettered with its reason, and none
 * may take ingest's memory or time with it. Oversized strings come from `hugeMessage`.
 */
export function badMessage(i: number): BadMessage {
  const kind =
    i % LARGE_EVERY === LARGE_EVERY - 1
      ? LARGE[Math.floor(i / LARGE_EVERY) % LARGE.length]
      : SMALL[i % SMALL.length];
  if (kind === undefined) throw new Error('no kinds');
  return kind(i);
}

export function hugeMessage(i: number, bytes: number): BadMessage {
  return {
    kind: `${(bytes / 1024 / 1024).toFixed(0)} MB string`,
    value: Buffer.from(JSON.stringify({ ...event(i), user_agent: 'u'.repeat(bytes) })),
    reason: /^message too large/,
  };
}

/**
 * Makes some good events hostile without making them invalid: keys that pollute prototypes if
 * copied, deeply nested unknown fields, huge finite numbers, escapes of lone surrogates. They are
 * still good events: stored and counted like the others. Returns the JSON each is sent as.
 */
export function hostileButValid(event: GeneratedEvent, i: number): string {
  const text = JSON.stringify(event);
  switch (i % 5) {
    case 0:
      return `{"__proto__":{"status":200,"isDenial":true},"constructor":{"prototype":{"x":1}},${text.slice(1)}`;
    case 1:
      return `{"extra":${'['.repeat(20_000)}${']'.repeat(20_000)},${text.slice(1)}`;
    case 2:
      return JSON.stringify({ ...event, latency_ms: 1e308 });
    case 3:
      // Unknown fields with a lone surrogate and control characters.
      return JSON.stringify({ ...event, note: '\ud800\u0000\u001b[31m\u202e' });
    default:
      return JSON.stringify({ ...event, user_agent: `${'ua'.repeat(50_000)}` });
  }
}
