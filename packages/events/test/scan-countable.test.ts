import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';

import {
  COUNTABLE_FIELDS,
  DEFAULT_ENVIRONMENTS,
  EVENT_LIMITS,
  MAX_FUTURE_SKEW_MS,
  MIN_EVENT_TS,
  parseEvent,
  scanCountable,
} from '../src/index.js';
import type { ApiEvent, CountableEvent, ScanOptions } from '../src/index.js';
import { NOW, OPTIONAL_FIELDS, REQUIRED_FIELDS, seededRandom, wireEvent } from './fixtures.js';

// The contract under test: scanCountable returns a value only for input that parseEvent (same
// maxBytes, environments and clock) accepts as an event that is neither a denial nor a foreign
// access, and then the values are that event's ts, env, keyId, accountId, status, method,
// resourceId and resourceOwner (the last two with their null/absent states).

/** Written out here, not taken from the code under test. */
const FIELDS = [
  'ts',
  'env',
  'keyId',
  'accountId',
  'status',
  'method',
  'resourceId',
  'resourceOwner',
] as const satisfies readonly (keyof CountableEvent)[];

const DEFAULTS: ScanOptions = {
  maxBytes: EVENT_LIMITS.maxMessageBytes,
  environments: DEFAULT_ENVIRONMENTS,
  nowMs: NOW,
};
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Fixed so that runs reproduce; set SCAN_COUNTABLE_SEED to explore other mutations. */
const MUTATION_SEED = Number(process.env.SCAN_COUNTABLE_SEED ?? 20_251_127);
const USER_AGENT = 'Mozilla/5.0 (bench) denyscope-bench/1.0 (+https://example.invalid)';
const CONTRACT_FIELDS: readonly string[] = [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS];

/** Neither a denial nor a foreign access (a known resource owner that is not the caller's account). */
function isCountable(event: ApiEvent): boolean {
  const denial = event.status === 403 && event.error === 'ownership_denied';
  const foreign =
    !denial &&
    typeof event.resourceOwner === 'string' &&
    event.accountId !== null &&
    event.resourceOwner !== event.accountId;
  return !denial && !foreign;
}

function fullParse(bytes: Uint8Array, opts: ScanOptions): ReturnType<typeof parseEvent> {
  return parseEvent(bytes, {
    maxBytes: opts.maxBytes,
    environments: opts.environments,
    now: () => opts.nowMs,
  });
}

/** The fields of the contract as a plain object (the scanner decodes some of them on read). */
function fieldsOf(event: CountableEvent): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((field) => [field, event[field]]));
}

/** A different event, scanned between a scan and the reads of its lazy fields. */
const OTHER_MESSAGE = Buffer.from(
  JSON.stringify({
    ts: NOW - 1,
    request_id: 'other',
    env: 'sandbox',
    method: 'DELETE',
    path: '/v2/other/thing_999/x',
    route: '/v2/other/{id}/x',
    status: 204,
    key_id: 'key_other',
    account_id: 'acct_other',
    resource_id: 'zzz',
  }),
);

/** How the scanner's answer breaks the contract, or undefined if it keeps it. */
function violation(
  bytes: Uint8Array,
  opts: ScanOptions = DEFAULTS,
  lean = scanCountable(bytes, opts),
): string | undefined {
  if (lean === undefined) return undefined;
  // The lazy fields must not depend on what the scanner did after returning this event.
  scanCountable(OTHER_MESSAGE, DEFAULTS);
  const full = fullParse(bytes, opts);
  if (!full.ok) return `scanned, but parseEvent rejects it: ${full.reason}`;
  if (!isCountable(full.event)) return 'scanned a denial or a foreign access';
  // Ingest counts the flag only on events parseEvent saw: a scanned one would go uncounted.
  if (full.invalidClientIp === true) return 'scanned an event whose client_ip parseEvent drops';
  const different = FIELDS.filter((field) => !Object.is(lean[field], full.event[field]));
  return different.length === 0
    ? undefined
    : `${different.join(', ')} differ: got ${JSON.stringify(fieldsOf(lean))}, parseEvent says ${JSON.stringify(fieldsOf(full.event))}`;
}

/** Which state each field with several states was in, for "both outcomes were sampled". */
function outcomesOf(event: CountableEvent): string[] {
  const owner = event.resourceOwner;
  return [
    event.resourceId === null ? 'resourceId null' : 'resourceId string',
    owner === undefined ? 'owner absent' : owner === null ? 'owner null' : 'owner string',
    event.keyId === null ? 'keyId null' : 'keyId string',
    event.method === 'GET' ? 'method GET' : 'method other',
    event.status >= 200 && event.status <= 299 ? 'status 2xx' : 'status other',
  ];
}

interface Case {
  /** Enough to reproduce: corpus, seed, index, mutations. */
  label: string;
  bytes: Uint8Array;
  opts?: ScanOptions;
}

/** Input bytes shown for a failure message: latin1, JSON-quoted so control bytes are visible. */
function show(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return JSON.stringify(text.length > 800 ? `${text.slice(0, 800)}…` : text);
}

/**
 * Checks every case; fails listing the first violations with their labels and inputs. Counts the
 * states of the scanned events' fields (`outcomesOf`).
 */
function expectAgreement(cases: Iterable<Case>): {
  total: number;
  scanned: number;
  outcomes: Map<string, number>;
} {
  const failures: string[] = [];
  const outcomes = new Map<string, number>();
  let total = 0;
  let scanned = 0;
  for (const { label, bytes, opts = DEFAULTS } of cases) {
    total++;
    const lean = scanCountable(bytes, opts);
    // Before anything reads the lazy fields: violation() scans another event first.
    const problem = violation(bytes, opts, lean);
    if (lean !== undefined) {
      scanned++;
      for (const outcome of outcomesOf(lean))
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    if (problem !== undefined && failures.length < 10) {
      const options = opts === DEFAULTS ? '' : `\n  opts: ${JSON.stringify(opts)}`;
      failures.push(`${label}: ${problem}\n  input: ${show(bytes)}${options}`);
    }
  }
  expect(failures, failures.join('\n\n')).toEqual([]);
  return { total, scanned, outcomes };
}

/** Every one of `expected` was seen at least `min` times among the scanned events. */
function expectSampled(outcomes: Map<string, number>, expected: string[], min = 1): void {
  for (const outcome of expected) {
    expect(outcomes.get(outcome) ?? 0, outcome).toBeGreaterThanOrEqual(min);
  }
}

const encode = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/**
 * Varied gateway traffic built from the fixture event: statuses, methods, owners (own, other,
 * null, absent), IDs and environments drawn from `seed`, `ts` as epoch ms or RFC 3339. (The
 * scenario generators' traffic is checked in packages/scenarios/test/scan-countable.test.ts.)
 */
function variedJson(seed: number, tsAsString: boolean, count: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const account = `acct_${String(Math.floor(random() * 50)).padStart(6, '0')}`;
    const ts = NOW - 30 * MINUTE + i * 7;
    const status = pick([200, 200, 200, 201, 204, 404, 403]);
    const event = wireEvent({
      ts: tsAsString ? new Date(ts).toISOString() : ts,
      request_id: `req_${seed}_${i}`,
      env: pick(['production', 'staging']),
      method: pick(['GET', 'GET', 'POST', 'DELETE']),
      status,
      error: status === 403 ? 'ownership_denied' : null,
      key_id: pick([`key_${account}`, null]),
      account_id: account,
      resource_owner: pick([account, account, 'acct_000999', null, undefined]),
      resource_id: pick([`inv_${i}`, null, undefined]),
      user_agent: USER_AGENT,
    });
    return JSON.stringify(event);
  });
}

/** A valid, countable reference event (the fixture's denial turned into a 200 on own data). */
function countableWire(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return wireEvent({ status: 200, error: null, resource_owner: 'acct_000123', ...overrides });
}

const countableJson = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify(countableWire(overrides));

/** `json` with the raw value of member `key` replaced by the raw JSON text `raw`. */
function withMember(json: string, key: string, raw: string): string {
  const member = new RegExp(`"${key}":("(?:[^"\\\\]|\\\\.)*"|true|false|null|-?[0-9][0-9.eE+-]*)`);
  if (!member.test(json)) throw new Error(`no scalar member ${key} in ${json}`);
  return json.replace(member, () => `"${key}":${raw}`);
}

/** `json` with raw member text spliced in before the closing brace. */
function withExtra(json: string, extra: string): string {
  return `${json.slice(0, -1)},${extra}}`;
}

// ---------------------------------------------------------------------------------------------
// Values around every boundary the contract draws, for the object-level mutations.

const iso = (ms: number): string => new Date(ms).toISOString();
const TS_VALUES: unknown[] = [
  MIN_EVENT_TS - 1,
  MIN_EVENT_TS,
  MIN_EVENT_TS + 0.5,
  NOW,
  NOW + 0.999,
  NOW + MAX_FUTURE_SKEW_MS,
  NOW + MAX_FUTURE_SKEW_MS + 1,
  NOW + MAX_FUTURE_SKEW_MS + 0.5,
  Math.floor(NOW / 1000),
  8.64e15,
  Number.MAX_SAFE_INTEGER,
  iso(MIN_EVENT_TS - 1),
  iso(MIN_EVENT_TS),
  iso(NOW),
  iso(NOW + MAX_FUTURE_SKEW_MS),
  iso(NOW + MAX_FUTURE_SKEW_MS + 1),
  '2025-05-31T23:59:58Z',
  '2025-05-31T23:59:58.123456789+02:00',
  '2025-05-31T23:59:58.1-00:00',
  '2025-05-31T23:59:58',
  '2025-05-31t23:59:58z',
  '2025-02-29T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '2025-05-31T23:59:60Z',
  `2025-05-31T23:59:58.${'1'.repeat(40)}Z`,
  `2025-05-31T23:59:58.${'1'.repeat(44)}Z`,
  '',
];
const STATUS_VALUES: unknown[] = [99, 100, 200, 201, 403, 404, 429, 503, 599, 600, 200.5, -200, 0];
const LATENCY_VALUES: unknown[] = [0, 1, 12.5, 1e-9, -1, -0.5, 1e300];

function limitStrings(max: number): string[] {
  return ['', 'x', 'a'.repeat(max), 'a'.repeat(max + 1)];
}

const STRING_VALUES: unknown[] = [
  '',
  'x',
  'GET',
  'production',
  'staging',
  'sandbox',
  'qa',
  'Production',
  'ownership_denied',
  'OWNERSHIP_DENIED',
  'acct_000123',
  'acct_000999',
  'caf\u00e9',
  'emoji 😀',
  'tab\there',
  'nul\u0000',
  'quote"inside',
  'back\\slash',
  '\u007f',
  '__proto__',
  // Blank IDs (dead-lettered) and client addresses, valid or not (null and counted).
  ' ',
  '   ',
  '203.0.113.7',
  '203.0.113.256',
  '01.2.3.4',
  '2001:db8::1',
  '::ffff:192.0.2.7',
  'fe80::1%eth0',
  '1.2.3.4, 5.6.7.8',
  ...limitStrings(16),
  ...limitStrings(64),
  ...limitStrings(256),
];
const OTHER_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, [], [1], {}, { a: { b: [null] } }];

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function valueFor(random: () => number, field: string): unknown {
  const roll = random();
  if (field === 'ts' && roll < 0.6) return pick(random, TS_VALUES);
  if (field === 'status' && roll < 0.6) return pick(random, STATUS_VALUES);
  if (field === 'latency_ms' && roll < 0.6) return pick(random, LATENCY_VALUES);
  return roll < 0.8 ? pick(random, STRING_VALUES) : pick(random, OTHER_VALUES);
}

/** Sets a key as an own, enumerable property, even `__proto__`, so JSON.stringify writes it. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const KEY_VARIANTS = [
  (k: string) => k.toUpperCase(),
  (k: string) => `${k} `,
  (k: string) => `_${k}`,
  (k: string) => k.slice(0, -1),
  () => '__proto__',
  () => 'constructor',
  () => '',
];

type ObjectMutation = (random: () => number, event: Record<string, unknown>) => string;

const OBJECT_MUTATIONS: ObjectMutation[] = [
  (random, event) => {
    const field = pick(random, CONTRACT_FIELDS);
    const had = field in event;
    Reflect.deleteProperty(event, field);
    return `delete ${field}${had ? '' : ' (absent)'}`;
  },
  (random, event) => {
    const field = pick(random, CONTRACT_FIELDS);
    const value = valueFor(random, field);
    setOwn(event, field, value);
    return `set ${field}=${JSON.stringify(value)?.slice(0, 40)}`;
  },
  (random, event) => {
    const field = pick(random, CONTRACT_FIELDS);
    const renamed = pick(random, KEY_VARIANTS)(field);
    const value = event[field];
    Reflect.deleteProperty(event, field);
    setOwn(event, renamed, value);
    return `rename ${field} to ${JSON.stringify(renamed)}`;
  },
  (random, event) => {
    const key = pick(random, ['trace_id', '__proto__', 'constructor', 'StatusCode', 'tS', 'x']);
    const value = pick(random, [...STRING_VALUES.slice(0, 12), ...OTHER_VALUES]);
    setOwn(event, key, value);
    return `unknown ${key}=${JSON.stringify(value)?.slice(0, 40)}`;
  },
  (random, event) => {
    const error = ['ownership_denied', null, 'other', undefined][Math.floor(random() * 4)];
    event.status = pick(random, [403, 403, 404, 200]);
    if (error === undefined) Reflect.deleteProperty(event, 'error');
    else event.error = error;
    return `status ${String(event.status)}, error ${String(error)}`;
  },
  (random, event) => {
    const account = event.account_id;
    const owner = [account, account, 'acct_other', '', null, undefined][Math.floor(random() * 6)];
    if (owner === undefined) Reflect.deleteProperty(event, 'resource_owner');
    else event.resource_owner = owner;
    if (random() < 0.2) event.account_id = null;
    return `resource_owner ${JSON.stringify(owner)}, account_id ${JSON.stringify(event.account_id)}`;
  },
  (random, event) => {
    const field = pick(random, ['env', 'resource_env']);
    event[field] = pick(random, [
      'production',
      'staging',
      'sandbox',
      'development',
      'qa',
      '',
      null,
    ]);
    return `${field}=${JSON.stringify(event[field])}`;
  },
];

/** Raw tokens that JSON.stringify never writes for a number, plus invalid ones. */
const RAW_TOKENS = [
  '2e2',
  '2E2',
  '4.03e2',
  '200.0',
  '200.',
  '.5',
  '+200',
  '0200',
  '-0',
  '-',
  '1e400',
  '-1e400',
  '1e',
  '1e+',
  '0x10',
  'NaN',
  'Infinity',
  '17489000000000000000',
  '1748736000000.5',
  '1748736000000.9999999999',
  '1748736000000e0',
  '174873600000.0e1',
  `${NOW + MAX_FUTURE_SKEW_MS}`,
  `${NOW + MAX_FUTURE_SKEW_MS + 1}`,
  `${MIN_EVENT_TS}`,
  `${MIN_EVENT_TS - 1}`,
  '9'.repeat(400),
  `1.${'0'.repeat(400)}`,
  'n',
  'nul',
  'nulll',
  'nUll',
  'tru',
  'truee',
  'True',
  'fals',
  'falsee',
  '"\\u0061"',
  '"a\\"b"',
  '"\\/"',
  '"prod\\u0075ction"',
  '"\\ud800"',
  '{"a":1}',
  '[]',
  '[1,{"b":[null]}]',
  '""',
  ' 200 ',
];

type TextMutation = (random: () => number, text: string) => [string, string];

function anyPosition(random: () => number, text: string): number {
  return Math.floor(random() * (text.length + 1));
}

const WHITESPACE = [' ', '\t', '\n', '\r', '\r\n  ', '\f', '\v', '\u00a0', '\u2028'];

const TEXT_MUTATIONS: TextMutation[] = [
  (random, text) => {
    const key = pick(random, ['ts', 'status', 'latency_ms', 'env', 'key_id', 'error', 'path']);
    const raw = pick(random, RAW_TOKENS);
    try {
      return [withMember(text, key, raw), `raw ${key}=${raw.slice(0, 30)}`];
    } catch {
      return [text, `raw ${key} (no member)`];
    }
  },
  (random, text) => {
    // A second copy of a member, before or after the first: JSON.parse keeps the last one.
    const members = [...text.matchAll(/"([a-z_]+)":("(?:[^"\\]|\\.)*"|[^,{}[\]]*)/g)];
    if (members.length === 0) return [text, 'duplicate (no member)'];
    const [member, key = ''] = pick(random, members);
    const other = `"${key}":${JSON.stringify(valueFor(random, key))}`;
    const copy = random() < 0.5 ? member : other;
    return [random() < 0.5 ? withExtra(text, copy) : `{${copy},${text.slice(1)}`, `dup ${copy}`];
  },
  (random, text) => {
    // Whitespace, mostly between tokens (after a structural byte), sometimes anywhere.
    const structural = [...text.matchAll(/[{}:,]/g)].map((m) => (m.index ?? 0) + 1);
    const at = random() < 0.7 && structural.length > 0 ? pick(random, structural) : 0;
    const position = random() < 0.8 ? at : anyPosition(random, text);
    const ws = pick(random, WHITESPACE);
    return [
      text.slice(0, position) + ws + text.slice(position),
      `ws ${JSON.stringify(ws)}@${position}`,
    ];
  },
  (random, text) => {
    const at = Math.floor(random() * text.length);
    return [text.slice(0, at), `truncate@${at}`];
  },
  (random, text) => {
    const tail = pick(random, ['}', ',', ' x', '\n', '{}', '\u0000', ' ', ']', '"']);
    return [text + tail, `append ${JSON.stringify(tail)}`];
  },
  (random, text) => {
    const head = pick(random, ['\ufeff', ' ', '\n', 'x', '[', '"']);
    return [head + text, `prepend ${JSON.stringify(head)}`];
  },
  (random, text) => {
    // Unicode or an escape inside some string value.
    const quotes = [...text.matchAll(/:"/g)].map((m) => (m.index ?? 0) + 2);
    if (quotes.length === 0) return [text, 'unicode (no string)'];
    const at = pick(random, quotes);
    const insert = pick(random, ['é', '😀', '\\u0041', '\\n', '\\"', '\\\\', '\u007f', '\u0001']);
    return [text.slice(0, at) + insert + text.slice(at), `insert ${JSON.stringify(insert)}@${at}`];
  },
  (random, text) => {
    const at = Math.floor(random() * text.length);
    return [text.slice(0, at) + text.slice(at + 1), `delete char@${at}`];
  },
];

const INTERESTING_BYTES = [
  0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x2d, 0x2e, 0x30, 0x31, 0x35, 0x39, 0x3a, 0x45, 0x5b,
  0x5c, 0x5d, 0x65, 0x7b, 0x7d, 0x7e, 0x7f, 0x80, 0xc3, 0xef, 0xff,
];

function flipBytes(random: () => number, bytes: Uint8Array): string {
  const flips = 1 + Math.floor(random() * 2);
  const done: string[] = [];
  for (let f = 0; f < flips && bytes.length > 0; f++) {
    const at = Math.floor(random() * bytes.length);
    const value =
      random() < 0.5 ? pick(random, INTERESTING_BYTES) : Math.floor(random() * 256) & 0xff;
    bytes[at] = value;
    done.push(`byte@${at}=0x${value.toString(16)}`);
  }
  return done.join(' ');
}

/** The same bytes as a Buffer, a plain Uint8Array, or a view into a larger pooled buffer. */
function container(random: () => number, bytes: Uint8Array): [Uint8Array, string] {
  const roll = random();
  if (roll < 0.6) return [Buffer.from(bytes), 'Buffer'];
  if (roll < 0.8) return [new Uint8Array(bytes), 'Uint8Array'];
  const pool = Buffer.alloc(bytes.length + 16, 0x7d);
  pool.set(bytes, 7);
  return [pool.subarray(7, 7 + bytes.length), 'pooled view'];
}

function optionsFor(random: () => number, length: number): ScanOptions {
  const roll = random();
  if (roll < 0.85) return DEFAULTS;
  if (roll < 0.9) return { ...DEFAULTS, environments: ['production'] };
  if (roll < 0.95) return { ...DEFAULTS, maxBytes: length - 1 + Math.floor(random() * 3) };
  return { ...DEFAULTS, nowMs: NOW - HOUR * Math.floor(random() * 48) };
}

function* mutations(seed: number, count: number, bases: readonly string[]): Generator<Case> {
  for (let n = 0; n < count; n++) {
    // One generator per case: a failing case reproduces from its label alone.
    const random = seededRandom(seed * 1_000_003 + n);
    const base = pick(random, bases);
    const steps: string[] = [];
    const event = JSON.parse(base) as Record<string, unknown>;
    const objectSteps = Math.floor(random() * 3);
    for (let s = 0; s < objectSteps; s++) steps.push(pick(random, OBJECT_MUTATIONS)(random, event));
    let text =
      random() < 0.8
        ? JSON.stringify(event)
        : JSON.stringify(event, null, pick(random, [1, 2, '\t']));
    const textSteps = objectSteps === 0 ? 1 + Math.floor(random() * 2) : Math.floor(random() * 2);
    for (let s = 0; s < textSteps; s++) {
      const [next, step] = pick(random, TEXT_MUTATIONS)(random, text);
      text = next;
      steps.push(step);
    }
    const raw = encode(text);
    if (random() < 0.15) steps.push(flipBytes(random, raw));
    const [bytes, kind] = container(random, raw);
    yield {
      label: `mutation seed ${seed} case ${n} (${kind}): ${steps.join('; ')}`,
      bytes,
      opts: optionsFor(random, bytes.length),
    };
  }
}

function* labelled(corpus: string, texts: readonly string[]): Generator<Case> {
  for (const [i, text] of texts.entries()) yield { label: `${corpus} #${i}`, bytes: encode(text) };
}

// ---------------------------------------------------------------------------------------------

describe('scanCountable agrees with parseEvent', () => {
  it('on the fixture event with every contract field missing, null or set to boundary values', () => {
    const cases: Case[] = [];
    for (const base of [wireEvent(), countableWire()]) {
      for (const field of CONTRACT_FIELDS) {
        const without = { ...base };
        Reflect.deleteProperty(without, field);
        cases.push({ label: `without ${field}`, bytes: encode(JSON.stringify(without)) });
        const values = [
          ...TS_VALUES,
          ...STATUS_VALUES,
          ...LATENCY_VALUES,
          ...STRING_VALUES,
          ...OTHER_VALUES,
          'a'.repeat(1024),
          'a'.repeat(1025),
          'a'.repeat(8192),
          'a'.repeat(8193),
          'u'.repeat(10_000),
        ];
        for (const value of values) {
          const json = JSON.stringify({ ...base, [field]: value });
          cases.push({
            label: `${field}=${JSON.stringify(value).slice(0, 40)}`,
            bytes: encode(json),
          });
        }
      }
    }
    const { scanned } = expectAgreement(cases);
    expect(scanned).toBeGreaterThan(100);
  });

  it('on client_ip: address-like strings, valid and not, beside blank and spaced IDs', () => {
    const random = seededRandom(11);
    const alphabet = '0123456789abcdefABCDEF.:%  ';
    const cases: Case[] = [];
    let valid = 0;
    for (let n = 0; n < 20_000; n++) {
      const roll = random();
      let ip = '';
      if (roll < 0.4) {
        // Four parts around the IPv4 boundaries: leading zeros, 255/256, too few or many parts.
        const parts = 3 + Math.floor(random() * 3);
        ip = Array.from({ length: parts }, () =>
          pick(random, [
            '0',
            '00',
            '01',
            '1',
            '9',
            '10',
            '99',
            '100',
            '199',
            '249',
            '255',
            '256',
            '300',
            '1000',
          ]),
        ).join('.');
      } else if (roll < 0.75) {
        // IPv6: groups of 1-5 hex digits, sometimes a `::`, an IPv4 tail or a zone.
        const groups = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
          pick(random, ['0', '1', 'db8', '2001', 'ffff', 'FFFF', 'fe80', '12345', 'g']),
        );
        if (random() < 0.6) groups.splice(Math.floor(random() * groups.length), 0, '');
        if (random() < 0.1) groups.push('192.0.2.7');
        ip = groups.join(':') + (random() < 0.1 ? pick(random, ['%eth0', '%', '%e 0']) : '');
      } else {
        const length = 1 + Math.floor(random() * 24);
        for (let c = 0; c < length; c++) ip += pick(random, [...alphabet]);
      }
      if (isIP(ip) !== 0) valid++;
      const ids = pick(random, [{}, { key_id: ' ' }, { account_id: '' }, { key_id: ' k ' }]);
      cases.push({
        label: `client_ip=${JSON.stringify(ip)} ${JSON.stringify(ids)}`,
        bytes: encode(countableJson({ client_ip: ip, resource_owner: null, ...ids })),
      });
    }
    const { scanned } = expectAgreement(cases);
    // Both outcomes must be well represented for the comparison to mean anything.
    // Seed 11: 1,134 valid addresses, 581 events scanned (half have a blank ID) of 20,000.
    expect(valid).toBeGreaterThan(1_000);
    expect(scanned).toBeGreaterThan(400);
    expect(scanned).toBeLessThan(cases.length - 5_000);
  });

  it('on raw number tokens and other raw values in every contract field', () => {
    const cases: Case[] = [];
    for (const field of CONTRACT_FIELDS) {
      for (const raw of RAW_TOKENS) {
        const json = withMember(countableJson({ resource_id: 'inv_004512' }), field, raw);
        cases.push({ label: `raw ${field}=${raw.slice(0, 40)}`, bytes: encode(json) });
      }
    }
    expectAgreement(cases);
  });

  it('on every number-like token of up to 4 chars, in latency_ms and in an unknown field', () => {
    // Exhaustive over a small alphabet: the JSON number grammar, token by token.
    const alphabet = ['-', '+', '.', 'e', 'E', '0', '1', '9'];
    let tokens = [''];
    const all: string[] = [];
    for (let length = 1; length <= 4; length++) {
      tokens = tokens.flatMap((prefix) => alphabet.map((c) => prefix + c));
      all.push(...tokens);
    }
    const cases: Case[] = [];
    for (const token of all) {
      const latency = withMember(countableJson(), 'latency_ms', token);
      cases.push({ label: `latency_ms=${token}`, bytes: encode(latency) });
      cases.push({
        label: `x=${token}`,
        bytes: encode(withExtra(countableJson(), `"x":${token}`)),
      });
    }
    const { scanned } = expectAgreement(cases);
    expect(scanned).toBeGreaterThan(100);
  });

  it('on hostile input', () => {
    const valid = countableJson();
    const texts = [
      '',
      ' ',
      '{}',
      '[]',
      'null',
      '42',
      '"event"',
      `[${valid}]`,
      `${valid}${valid}`,
      withExtra(valid, '"__proto__":{"status":403,"error":"ownership_denied"}'),
      withExtra(valid, '"__proto__":null'),
      withExtra(valid, '"constructor":{"prototype":{"polluted":1}},"hasOwnProperty":1'),
      withExtra(valid, `"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}`),
      `{"a":${'['.repeat(100_000)}`,
      withExtra(valid, `"blob":"${'x'.repeat(300_000)}"`),
      valid.replace('"req_01', '"req\u0001_01'),
      valid.replace('"req_01', '"req\\u0000_01'),
      valid.replace('"req_01', '"req_\u202e01'),
      valid.replace('"req_01', '"\ud83d\ude00_01'),
      `\ufeff${valid}`,
      `\ufeff\ufeff${valid}`,
      `${valid.slice(0, -1)},}`,
      valid.replace('{', "{'a':1,"),
      valid.replace(/"/g, "'"),
    ];
    const cases = [...labelled('hostile', texts)];
    const buffer = Buffer.from(valid);
    for (const bad of [[0x80], [0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80]]) {
      const bytes = Buffer.concat([buffer.subarray(0, 30), Buffer.from(bad), buffer.subarray(30)]);
      cases.push({ label: `invalid UTF-8 ${JSON.stringify(bad)}`, bytes });
    }
    cases.push({ label: 'UTF-16', bytes: Buffer.from(valid, 'utf16le') });
    cases.push({
      label: 'latin1',
      bytes: Buffer.from(countableJson({ key_id: 'caf\u00e9' }), 'latin1'),
    });
    const { scanned } = expectAgreement(cases);
    // Only `"__proto__":null` is plain: an unknown key with a scalar value.
    expect(scanned).toBe(1);
  });

  it('on 40,000 seeded mutations of valid events', () => {
    const bases = [
      ...variedJson(21, false, 300),
      ...variedJson(22, true, 300),
      countableJson(),
      countableJson({ key_id: null, account_id: null }),
      JSON.stringify(wireEvent()),
    ];
    const { total, scanned, outcomes } = expectAgreement(mutations(MUTATION_SEED, 40_000, bases));
    // Not vacuous: mutations that keep an event plain (whitespace, unknown keys, ...) still scan.
    expect(scanned).toBeGreaterThan(total * 0.1);
    expect(scanned).toBeLessThan(total * 0.9);
    expectSampled(outcomes, [
      'resourceId null',
      'resourceId string',
      'owner absent',
      'owner null',
      'owner string',
      'keyId null',
      'status 2xx',
      'status other',
    ]);
  });

  it('hands back correct IDs when far more distinct IDs than its cache holds go through', () => {
    const cases: Case[] = [];
    for (let i = 0; i < 20_000; i++) {
      const id = `key_${(i * 7919) % 20_000}`;
      const account = i % 3 === 0 ? null : `acct_${i % 9000}`;
      const json = countableJson({ key_id: id, account_id: account, resource_owner: account });
      cases.push({ label: `intern ${i}`, bytes: encode(json) });
    }
    const { total, scanned } = expectAgreement(cases);
    expect(scanned).toBe(total);
  });
});

describe('scanCountable agrees with parseEvent on the resource fields', () => {
  const PATHS = [
    '/v1/invoices/inv_004512',
    '/v1/invoices/inv_004512?expand=lines',
    '/v1/invoices/inv_004512/',
    '/v1//invoices//inv_1',
    '/',
    '',
    '/v1/invoices',
    '/v1/invoices/list',
    '/v2024-01/things',
    '/api/v1/invoices/inv_7',
    '/v1/files/doc_9f86d081884c.json',
    '/v1/users/%E2%82%AC42',
    '/v1/users/%E0%A4%A',
    '/v1/users/a%2Fb1',
    '/v1/users/%',
    '/V1/Invoices/INV_1',
    '/v1/customers/cus_AbCdEfGhIj',
    '/v1/invoices/inv_1#frag',
    '/v1/invoices/inv_1/lines/li_2',
    'invoices/3f2a9c1e-8b7d-4e6f-a5c3-2d1b0e9f8a7c',
    `/v1/blobs/${'7'.repeat(2000)}`,
    `/v1/blobs/${'%41'.repeat(400)}1`,
    '/v1/caf\u00e9/inv_1',
    '/v1/\u202einv_1',
  ];
  const ROUTES: unknown[] = [
    undefined,
    null,
    '',
    '/v1/invoices/{invoice_id}',
    '/invoices/{id}',
    '/v1/invoices/:id',
    '/v1/files/{file}.json',
    '/v1/invoices/{invoice_id}/lines/{line_id}',
    '/v1/invoices',
    '/v1/{a}/{b}/{c}/{d}/{e}',
    '/V1/INVOICES/{id}',
    '{id}',
    '/v1/blobs/{blob}',
  ];
  const RESOURCE_IDS: unknown[] = [
    undefined,
    null,
    '',
    'inv_given',
    ' ',
    'a'.repeat(1024),
    'a'.repeat(1025),
    'x\ud800',
    7,
  ];
  const METHODS = ['GET', 'get', 'POST', 'PUT', 'PATCH', 'DELETE', 'delete', 'HEAD', 'OPTIONS', ''];
  const STATUSES = [200, 201, 204, 299, 300, 404, 403];

  /** Like pick(), for lists that hold undefined (an absent field). */
  const anyOf = <T>(random: () => number, items: readonly T[]): T =>
    items[Math.floor(random() * items.length)] as T;

  function resourceEvent(
    path: string,
    route: unknown,
    resourceId: unknown,
    extra: Record<string, unknown> = {},
  ): string {
    const event = countableWire({ path, ...extra });
    if (route === undefined) Reflect.deleteProperty(event, 'route');
    else event.route = route;
    if (resourceId !== undefined) event.resource_id = resourceId;
    return JSON.stringify(event);
  }

  it('on every path × route × resource_id', () => {
    const cases: Case[] = [];
    for (const path of PATHS) {
      for (const route of ROUTES) {
        for (const resourceId of RESOURCE_IDS) {
          cases.push({
            label: `path ${path.slice(0, 40)} route ${JSON.stringify(route)} resource_id ${JSON.stringify(resourceId)?.slice(0, 20)}`,
            bytes: encode(resourceEvent(path, route, resourceId)),
          });
        }
      }
    }
    const { total, scanned, outcomes } = expectAgreement(cases);
    expectSampled(outcomes, ['resourceId null', 'resourceId string'], 50);
    // Non-ASCII, escapes and over-long IDs go to parseEvent; the rest is scanned.
    expect(scanned).toBeGreaterThan(total * 0.5);
    expect(scanned).toBeLessThan(total);
  });

  it('on 20,000 random combinations with methods, statuses, owners and null IDs', () => {
    const random = seededRandom(MUTATION_SEED + 7);
    const cases: Case[] = [];
    for (let n = 0; n < 20_000; n++) {
      const status = pick(random, STATUSES);
      const account = pick(random, ['acct_000123', 'acct_000123', null]);
      const extra: Record<string, unknown> = {
        method: pick(random, METHODS),
        status,
        error: status === 403 ? pick(random, ['ownership_denied', 'forbidden', null]) : null,
        key_id: pick(random, ['key_live_7f3a9c1e2b4d', 'key_live_7f3a9c1e2b4d', null]),
        account_id: account,
      };
      const owner = anyOf(random, [undefined, null, account, 'acct_other', '']);
      const json = resourceEvent(
        pick(random, PATHS),
        anyOf(random, ROUTES),
        anyOf(random, RESOURCE_IDS),
        extra,
      );
      const event = JSON.parse(json) as Record<string, unknown>;
      if (owner === undefined) Reflect.deleteProperty(event, 'resource_owner');
      else event.resource_owner = owner;
      cases.push({ label: `combination ${n}`, bytes: encode(JSON.stringify(event)) });
    }
    const { total, scanned, outcomes } = expectAgreement(cases);
    expectSampled(
      outcomes,
      [
        'resourceId null',
        'resourceId string',
        'owner absent',
        'owner null',
        'owner string',
        'keyId null',
        'keyId string',
        'method GET',
        'method other',
        'status 2xx',
        'status other',
      ],
      100,
    );
    expect(scanned).toBeGreaterThan(total * 0.3);
    expect(scanned).toBeLessThan(total * 0.9);
  });
});

describe('scanCountable on the common shape', () => {
  it('returns the countable fields', () => {
    expect(COUNTABLE_FIELDS).toEqual(FIELDS);
    const event = scanCountable(encode(countableJson()), DEFAULTS);
    expect(event && fieldsOf(event)).toStrictEqual({
      ts: Date.UTC(2025, 4, 31, 23, 59, 58, 123),
      env: 'production',
      keyId: 'key_live_7f3a9c1e2b4d',
      accountId: 'acct_000123',
      status: 200,
      method: 'GET',
      // Derived from path and route: /v1/invoices/inv_004512?expand=lines, /v1/invoices/{invoice_id}
      resourceId: 'inv_004512',
      resourceOwner: 'acct_000123',
    });
  });

  it('gives a given resource_id as it is, and the same string on every read', () => {
    const event = scanCountable(encode(countableJson({ resource_id: 'inv_given' })), DEFAULTS);
    expect(event?.resourceId).toBe('inv_given');
    expect(event?.resourceId).toBe(event?.resourceId);
  });

  it.each([
    ['epoch ms ts', countableJson({ ts: NOW - 5 })],
    ['ts at the lower bound', countableJson({ ts: MIN_EVENT_TS })],
    ['ts a day ahead', countableJson({ ts: NOW + MAX_FUTURE_SKEW_MS })],
    [
      'ts with an offset and nanoseconds',
      countableJson({ ts: '2025-05-31T23:59:58.123456789+02:00' }),
    ],
    [
      'only the required fields',
      JSON.stringify({
        ts: NOW,
        request_id: 'r',
        env: 'staging',
        method: 'GET',
        path: '/',
        status: 200,
        key_id: 'k',
        account_id: 'a',
      }),
    ],
    ['null key_id and account_id', countableJson({ key_id: null, account_id: null })],
    [
      'null optional fields',
      countableJson({
        error: null,
        route: null,
        resource_type: null,
        resource_id: null,
        resource_owner: null,
        resource_env: null,
        client_ip: null,
        user_agent: null,
        latency_ms: null,
      }),
    ],
    ['a 403 that is not ownership_denied', countableJson({ status: 403, error: 'forbidden' })],
    [
      'ownership_denied on a status other than 403',
      countableJson({ status: 404, error: 'ownership_denied' }),
    ],
    ['resource_owner absent', JSON.stringify({ ...countableWire(), resource_owner: undefined })],
    ['resource_owner null', countableJson({ resource_owner: null })],
    [
      'resource_owner with account_id null',
      countableJson({ account_id: null, resource_owner: 'acct_9' }),
    ],
    ['pretty-printed JSON', JSON.stringify(countableWire(), null, '\t')],
    [
      'whitespace around every token',
      ` \r\n${JSON.stringify(countableWire(), null, 1).replace(/": /g, '"\t:\r\n ').replace(/,\n/g, '\n ,\t')}\n `,
    ],
    [
      'unknown keys with every scalar type',
      withExtra(
        countableJson(),
        '"a":1.5e-3,"b":-0,"c":true,"d":false,"e":null,"f":"x","__proto__":"y","constructor":0',
      ),
    ],
    ['duplicate unknown keys', withExtra(countableJson(), '"trace":1,"trace":"2"')],
    ['a 10 kB user agent', countableJson({ user_agent: 'u'.repeat(10_000) })],
    ['fractional latency', countableJson({ latency_ms: 0.000123 })],
    ['resource_env in environments', countableJson({ resource_env: 'sandbox' })],
  ])('scans %s', (_name, json) => {
    const bytes = encode(json);
    const full = fullParse(bytes, DEFAULTS);
    expect(full.ok && isCountable(full.event)).toBe(true);
    expect(scanCountable(bytes, DEFAULTS)).toBeDefined();
    expect(violation(bytes)).toBeUndefined();
  });

  it('returns the matching entry of environments', () => {
    const environments = ['prod', 'qa'];
    const bytes = encode(countableJson({ env: 'qa', resource_env: 'prod' }));
    expect(scanCountable(bytes, { ...DEFAULTS, environments })?.env).toBe('qa');
  });

  it('reads Buffers, plain Uint8Arrays and views into pooled buffers alike', () => {
    const json = countableJson();
    const scan = (bytes: Uint8Array) => {
      const event = scanCountable(bytes, DEFAULTS);
      return event && fieldsOf(event);
    };
    const expected = scan(Buffer.from(json));
    expect(expected).toBeDefined();
    expect(scan(new TextEncoder().encode(json))).toStrictEqual(expected);
    const pool = Buffer.from(`{"x":1}${json}}}}`);
    const view = pool.subarray(7, 7 + json.length);
    expect(scan(view)).toStrictEqual(expected);
    expect(scan(new Uint8Array(pool.buffer, pool.byteOffset + 7, json.length))).toStrictEqual(
      expected,
    );
  });

  it('accepts a message of exactly maxBytes and none a byte longer', () => {
    const bytes = encode(countableJson());
    expect(scanCountable(bytes, { ...DEFAULTS, maxBytes: bytes.length })).toBeDefined();
    expect(scanCountable(bytes, { ...DEFAULTS, maxBytes: bytes.length - 1 })).toBeUndefined();
  });
});

describe('scanCountable leaves to parseEvent', () => {
  // Each of these: parseEvent accepts a countable event, but the scanner does not take the shape.
  it.each([
    ['a leading byte-order mark', `\ufeff${countableJson()}`],
    ['an escape in a value', withMember(countableJson(), 'request_id', '"r\\u0031"')],
    ['an escape in an unknown value', withExtra(countableJson(), '"note":"a\\nb"')],
    ['an escaped key', countableJson().replace('"method"', '"m\\u0065thod"')],
    ['non-ASCII in a value', countableJson({ user_agent: 'café' })],
    ['non-ASCII in an unknown key', withExtra(countableJson(), '"ключ":1')],
    ['a raw DEL byte in a string', countableJson({ path: '/v1/\u007f' })],
    ['a nested object in an unknown field', withExtra(countableJson(), '"meta":{"a":1}')],
    ['a nested array in an unknown field', withExtra(countableJson(), '"tags":[]')],
    ['a duplicate contract key', withExtra(countableJson(), '"status":201')],
    [
      'a duplicate contract key with the same value',
      withExtra(countableJson(), '"env":"production"'),
    ],
    ['status with a fraction', withMember(countableJson(), 'status', '200.0')],
    ['status with an exponent', withMember(countableJson(), 'status', '2e2')],
    ['ts with a fraction', withMember(countableJson(), 'ts', `${NOW}.5`)],
    ['ts with an exponent', withMember(countableJson(), 'ts', '1.7487e12')],
    ['latency with an exponent', withMember(countableJson(), 'latency_ms', '1e2')],
    ['latency -0', withMember(countableJson(), 'latency_ms', '-0')],
    [
      'a latency token over 300 chars',
      withMember(countableJson(), 'latency_ms', `1.${'0'.repeat(300)}`),
    ],
  ])('bails on %s', (_name, json) => {
    const bytes = encode(json);
    const full = fullParse(bytes, DEFAULTS);
    expect(full.ok && isCountable(full.event), full.ok ? 'countable' : full.reason).toBe(true);
    expect(scanCountable(bytes, DEFAULTS)).toBeUndefined();
  });

  it('bails on a message over maxBytes', () => {
    const bytes = encode(countableJson());
    expect(scanCountable(bytes, { ...DEFAULTS, maxBytes: bytes.length - 1 })).toBeUndefined();
  });

  it('bails on denials and foreign accesses, which need the full event', () => {
    for (const json of [
      JSON.stringify(wireEvent()),
      JSON.stringify(wireEvent({ resource_owner: null })),
      JSON.stringify({ ...wireEvent(), resource_owner: undefined }),
      countableJson({ resource_owner: 'acct_000999' }),
      countableJson({ resource_owner: '' }),
      countableJson({ status: 404, error: 'other', resource_owner: 'acct_1' }),
    ]) {
      const bytes = encode(json);
      const full = fullParse(bytes, DEFAULTS);
      expect(full.ok && !isCountable(full.event), json).toBe(true);
      expect(scanCountable(bytes, DEFAULTS), json).toBeUndefined();
    }
  });

  // And each of these parseEvent rejects.
  const long = (n: number): string => 'a'.repeat(n);
  it.each([
    ['empty input', ''],
    ['whitespace only', '  \n'],
    ['a top-level array', `[${countableJson()}]`],
    ['a top-level string', '"x"'],
    ['an empty object', '{}'],
    ['trailing garbage', `${countableJson()}}`],
    ['a second object', `${countableJson()} {}`],
    ['a trailing comma', `${countableJson().slice(0, -1)},}`],
    ['a missing comma', countableJson().replace(',"env"', '"env"')],
    ['a missing colon', countableJson().replace('"env":', '"env"')],
    ['truncation', countableJson().slice(0, -1)],
    ['a raw control character', countableJson().replace('/v1/', '/v1/\u0001')],
    ['a raw tab in a string', countableJson().replace('/v1/', '/v1/\t')],
    ['a leading zero', withMember(countableJson(), 'latency_ms', '012')],
    ['a bare minus', withMember(countableJson(), 'latency_ms', '-')],
    ['a dangling exponent', withMember(countableJson(), 'latency_ms', '1e')],
    ['a NaN literal', withMember(countableJson(), 'latency_ms', 'NaN')],
    ['a misspelt literal', withMember(countableJson(), 'error', 'nul')],
    ...REQUIRED_FIELDS.map((field): [string, string] => [
      `missing ${field}`,
      JSON.stringify({ ...countableWire(), [field]: undefined }),
    ]),
    ['ts before 2000', countableJson({ ts: MIN_EVENT_TS - 1 })],
    ['ts more than a day ahead', countableJson({ ts: NOW + MAX_FUTURE_SKEW_MS + 1 })],
    ['ts in seconds', countableJson({ ts: Math.floor(NOW / 1000) })],
    ['ts as a local time', countableJson({ ts: '2025-05-31T23:59:58' })],
    [
      'ts as a string over 64 chars',
      countableJson({ ts: `2025-05-31T23:59:58.${'1'.repeat(44)}Z` }),
    ],
    ['ts as a boolean', countableJson({ ts: true })],
    ['ts null', countableJson({ ts: null })],
    ['request_id empty', countableJson({ request_id: '' })],
    ['request_id over 256 chars', countableJson({ request_id: long(257) })],
    ['request_id null', countableJson({ request_id: null })],
    ['env not configured', countableJson({ env: 'qa' })],
    ['env with another case', countableJson({ env: 'Production' })],
    ['env null', countableJson({ env: null })],
    ['method over 16 chars', countableJson({ method: long(17) })],
    ['path over 8192 chars', countableJson({ path: long(8193) })],
    ['path as a number', countableJson({ path: 1 })],
    ['status 99', countableJson({ status: 99 })],
    ['status 600', countableJson({ status: 600 })],
    ['status as a string', countableJson({ status: '200' })],
    ['status negative', countableJson({ status: -200 })],
    ['status 200.5', countableJson({ status: 200.5 })],
    ['key_id over 256 chars', countableJson({ key_id: long(257) })],
    ['key_id as a number', countableJson({ key_id: 7 })],
    ['account_id over 256 chars', countableJson({ account_id: long(257), resource_owner: null })],
    ['error over 256 chars', countableJson({ error: long(257) })],
    ['error as a boolean', countableJson({ error: false })],
    ['route over 8192 chars', countableJson({ route: long(8193) })],
    ['resource_type over 256 chars', countableJson({ resource_type: long(257) })],
    ['resource_id over 1024 chars', countableJson({ resource_id: long(1025) })],
    ['resource_owner over 256 chars', countableJson({ resource_owner: long(257) })],
    ['resource_owner as a number', countableJson({ resource_owner: 1 })],
    ['resource_env not configured', countableJson({ resource_env: 'qa' })],
    ['resource_env empty', countableJson({ resource_env: '' })],
    ['client_ip over 64 chars', countableJson({ client_ip: long(65) })],
    ['user_agent as a number', countableJson({ user_agent: 5 })],
    ['latency_ms negative', countableJson({ latency_ms: -1 })],
    ['latency_ms overflowing to Infinity', withMember(countableJson(), 'latency_ms', '1e400')],
    ['latency_ms as a string', countableJson({ latency_ms: '12' })],
    ['a nested value in a contract field', withMember(countableJson(), 'status', '[200]')],
  ])('bails on %s', (_name, text) => {
    const bytes = encode(text);
    const full = fullParse(bytes, DEFAULTS);
    expect(full.ok, full.ok ? 'accepted' : full.reason).toBe(false);
    expect(scanCountable(bytes, DEFAULTS)).toBeUndefined();
  });

  it('bails when the clock reads NaN (parseEvent would accept any ts from 2000 on)', () => {
    expect(scanCountable(encode(countableJson()), { ...DEFAULTS, nowMs: NaN })).toBeUndefined();
  });
});
