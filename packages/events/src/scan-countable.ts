/**
 * A lean fast path for the ~97 % of events that ingest only counts: one pass over the bytes, with
 * no UTF-8 decode, no JSON.parse and no intermediate object.
 *
 * The contract that makes it safe to put in front of `parseEvent`: `scanCountable` returns a
 * `CountableEvent` only when `parseEvent(bytes, { maxBytes, environments, now: () => nowMs })`
 * would return `ok` with an event that is neither a denial nor a foreign access. In that case each
 * of its `COUNTABLE_FIELDS` (`ts`, `env`, `keyId`, `accountId`, `status`, `method`, `resourceId`,
 * `resourceOwner`) equals that event's. In every other case (invalid input, a denial, a foreign
 * access, or just a shape the scanner does not handle) it returns `undefined`, and the caller runs
 * the full `parseEvent`. That call decides validity, builds the full event and dead-letters bad
 * input.
 *
 * `method` and `resourceId` are decoded lazily, on first read, from the spans the scan recorded:
 * ingest needs them only for the 2xx responses it records in key_resources, and deriving a
 * resource ID from the path costs more than the rest of the scan. `resourceId` is the given
 * `resource_id`, or `deriveResourceId(path, route)` exactly as `parseEvent` derives it. So the
 * returned object holds on to `bytes`: do not change them while it is in use.
 *
 * So every check below accepts only what is plainly fine. When agreeing with `parseEvent` would
 * take more than a simple yes, the scanner bails out. The shape it accepts:
 *
 * - one top-level JSON object, with whitespace (space, tab, LF, CR) between tokens and nothing
 *   after the object;
 * - values that are strings, numbers, `true`, `false` or `null`; a nested object or array
 *   anywhere bails;
 * - strings (keys and values) of printable ASCII 0x20–0x7E only, without backslash escapes. The
 *   whole input is then ASCII (valid UTF-8, no BOM), a string's length in UTF-16 units equals
 *   its length in bytes, so the contract's length limits can be checked on byte spans, and a
 *   span decoded as latin1 is exactly the string JSON.parse would give;
 * - every v1 contract field at most once (JSON.parse would keep the last of duplicates). Unknown
 *   keys may repeat, since `validateFields` never reads them;
 * - `status` and a numeric `ts` as plain digits only: a fraction, exponent or sign bails, because
 *   matching JSON.parse's rounding exactly is not worth it there. `latency_ms` may be any
 *   non-negative number without an exponent;
 * - `key_id` and `account_id` not blank (parseEvent dead-letters a blank ID, so the scanner bails);
 * - `client_ip` null, empty, or an IP address as `net.isIP` reads it, untrimmed. Anything else
 *   bails, so that parseEvent nulls it and ingest counts it (`invalidClientIp`): the scanner
 *   returns an event only when parseEvent's result would carry no such flag.
 */
import { isIP } from 'node:net';

import type { ApiEvent } from './api-event.js';
import { deriveResourceId } from './derive-resource-id.js';
import { EVENT_LIMITS, MAX_FUTURE_SKEW_MS, MIN_EVENT_TS } from './limits.js';
import { parseRfc3339 } from './rfc3339.js';
import { V1_FIELDS, type V1Field, type V1FieldName } from './v1-fields.js';

/**
 * The fields of `ApiEvent` that the scanner gives: what ingest needs to count a request that is
 * not a denial and to record which resource a key used successfully.
 */
export const COUNTABLE_FIELDS = [
  'ts',
  'env',
  'keyId',
  'accountId',
  'status',
  'method',
  'resourceId',
  'resourceOwner',
] as const satisfies readonly (keyof ApiEvent)[];

/** The values `parseEvent`'s event would have (an `ApiEvent` is one too). */
export type CountableEvent = Readonly<Pick<ApiEvent, (typeof COUNTABLE_FIELDS)[number]>>;

/** The settings `parseEvent` gets, already resolved: the scanner has no defaults of its own. */
export interface ScanOptions {
  maxBytes: number;
  environments: readonly string[];
  /** The epoch ms that `parseEvent`'s `now()` would return. */
  nowMs: number;
}

// ---------------------------------------------------------------------------------------------
// Bytes and byte classes.

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const BACKSLASH = 0x5c;
const LOWER_E = 0x65;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const TILDE = 0x7e;

// Bits of one lookup table, so the inner loops do one load and one test per byte.
/** Can stand unescaped in a string the scanner accepts: printable ASCII except `"` and `\`. */
const PLAIN = 1;
/** One of the four bytes JSON allows between tokens. */
const WHITESPACE = 2;
const DIGIT = 4;
const BYTE_CLASS = new Uint8Array(256);
for (let b = SPACE; b <= TILDE; b++) BYTE_CLASS[b] = b === QUOTE || b === BACKSLASH ? 0 : PLAIN;
for (const b of [SPACE, TAB, LF, CR]) BYTE_CLASS[b] = (BYTE_CLASS[b] ?? 0) | WHITESPACE;
for (let b = DIGIT_0; b <= DIGIT_9; b++) BYTE_CLASS[b] = (BYTE_CLASS[b] ?? 0) | DIGIT;

// Kinds of values, told apart by their first byte.
const STRING = 0;
const NUMBER = 1;
const NULL = 2;
const TRUE = 3;
const FALSE = 4;
/** An object, an array, or not JSON at all: the scanner bails. */
const NOT_SCALAR = 5;
const KIND_BY_FIRST_BYTE = new Uint8Array(256).fill(NOT_SCALAR);
KIND_BY_FIRST_BYTE[QUOTE] = STRING;
KIND_BY_FIRST_BYTE[MINUS] = NUMBER;
KIND_BY_FIRST_BYTE.fill(NUMBER, DIGIT_0, DIGIT_9 + 1);
KIND_BY_FIRST_BYTE[LOWER_N] = NULL;
KIND_BY_FIRST_BYTE[LOWER_T] = TRUE;
KIND_BY_FIRST_BYTE[LOWER_F] = FALSE;

/** Returned by the scanning helpers instead of a position when the input is not plain. */
const FAIL = -1;

// ---------------------------------------------------------------------------------------------
// The v1 contract's fields and their rules, from the field table (see validateFields in
// validate-event.ts for the same rules written out).

/** In contract order: a field's index is its bit in the scan's `seen` mask. */
export const FIELD_NAMES: readonly V1FieldName[] = V1_FIELDS.map((field) => field.name);
if (FIELD_NAMES.length > 31) throw new Error('scan-countable: more v1 fields than mask bits');

// The fields the scan handles by name. Literals, so that the switch below compiles to a jump
// table; checked against the table when this module loads.
const TS = 0;
const ENV = 2;
const METHOD = 3;
const PATH = 4;
const STATUS = 5;
const KEY_ID = 6;
const ACCOUNT_ID = 7;
const ERROR = 8;
const ROUTE = 9;
const RESOURCE_ID = 11;
const RESOURCE_OWNER = 12;
const RESOURCE_ENV = 13;
const CLIENT_IP = 14;
const LATENCY_MS = 16;
const NAMED_FIELDS: Partial<Record<V1FieldName, number>> = {
  ts: TS,
  env: ENV,
  method: METHOD,
  path: PATH,
  status: STATUS,
  key_id: KEY_ID,
  account_id: ACCOUNT_ID,
  error: ERROR,
  route: ROUTE,
  resource_id: RESOURCE_ID,
  resource_owner: RESOURCE_OWNER,
  resource_env: RESOURCE_ENV,
  client_ip: CLIENT_IP,
  latency_ms: LATENCY_MS,
};
for (const [name, index] of Object.entries(NAMED_FIELDS)) {
  if (FIELD_NAMES[index] !== name) {
    throw new Error(`scan-countable: field ${index} is ${FIELD_NAMES[index]}, not ${name}`);
  }
}

/** The bits of the fields an event must have. */
const REQUIRED_FIELDS = V1_FIELDS.reduce(
  (mask, field, index) => (field.required ? mask | (1 << index) : mask),
  0,
);
const UNKNOWN_FIELD = -1;

const NO_LIMIT = Number.POSITIVE_INFINITY;

/**
 * The string rule of each field (its length in UTF-16 units, and whether null is allowed), for
 * the fields read by `stringFieldOk`. ts, env, status, resource_env and latency_ms have rules of
 * another kind, written out where they apply. user_agent has no limit: parseEvent truncates it.
 */
const MIN_LENGTH = V1_FIELDS.map((field: V1Field) => field.minChars ?? 0);
const MAX_LENGTH = V1_FIELDS.map((field: V1Field) => field.maxChars ?? NO_LIMIT);
const NULLABLE = V1_FIELDS.map((field: V1Field) => field.json.includes('null'));

const OWNERSHIP_DENIED = 'ownership_denied';

/** A numeric `ts` or `status` with more digits is not taken: 15 digits are always exact. */
const MAX_INTEGER_DIGITS = 15;

/**
 * A `latency_ms` token longer than this is not taken. Without an exponent, a JSON number with
 * fewer than 309 integer digits is below Number.MAX_VALUE, so any shorter token is finite.
 */
const MAX_LATENCY_CHARS = 300;

const FIELD_NAME_BYTES = FIELD_NAMES.map((name) => Uint8Array.from(name, (c) => c.charCodeAt(0)));
const NO_NAME = new Uint8Array(0);

/** Fields by the first byte of their name: a key is compared with at most six names. */
const FIELDS_BY_FIRST_BYTE: (number[] | undefined)[] = [];
FIELD_NAMES.forEach((name, field) => {
  (FIELDS_BY_FIRST_BYTE[name.charCodeAt(0)] ??= []).push(field);
});

/**
 * For each field, the one that followed it last time (`[0]`: the first key). Producers write keys
 * in a fixed order, so this guess is usually right and saves the candidate search. A guess is
 * checked byte for byte like any other candidate, so this state only ever changes the speed: a
 * wrong guess costs one comparison.
 */
const NEXT_FIELD = new Int8Array(FIELD_NAMES.length + 1).fill(UNKNOWN_FIELD);

/**
 * Where the value of each string field lies (between its quotes; a start of FAIL means null),
 * written as the scan meets the field and read only for fields it has seen. Module state is safe
 * here: a scan runs to completion without calling out, and the event it returns copies the spans
 * it keeps.
 */
const VALUE_START = new Int32Array(FIELD_NAMES.length);
const VALUE_END = new Int32Array(FIELD_NAMES.length);

// ---------------------------------------------------------------------------------------------
// Tokens. Each helper takes the position to start at and the end of the input, and never reads
// past the end: V8 compiles a typed-array load that once went out of bounds into a slower one.

function skipWhitespace(bytes: Uint8Array, i: number, end: number): number {
  // Compact JSON (what JSON.stringify writes) has none: one comparison tells, since every
  // whitespace byte is <= SPACE.
  if (i < end && (bytes[i] ?? 0) > SPACE) return i;
  while (i < end && ((BYTE_CLASS[bytes[i] ?? 0] ?? 0) & WHITESPACE) !== 0) i++;
  return i;
}

/**
 * Position of the closing quote of the string whose contents start at `i`. Returns FAIL for
 * anything but printable ASCII: escapes, raw control characters (invalid JSON) and non-ASCII
 * bytes (which would need UTF-8 validation and make byte length differ from string length).
 */
function scanString(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && ((BYTE_CLASS[bytes[i] ?? 0] ?? 0) & PLAIN) !== 0) i++;
  return i < end && bytes[i] === QUOTE ? i : FAIL;
}

function skipDigits(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && ((BYTE_CLASS[bytes[i] ?? 0] ?? 0) & DIGIT) !== 0) i++;
  return i;
}

/**
 * End of the JSON number that starts at `i` (RFC 8259: `-? (0 | [1-9][0-9]*) frac? exp?`), or
 * FAIL. A leading zero ends the integer part, so `01` leaves a `1` that the caller rejects.
 */
function scanNumber(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === MINUS) i++;
  if (i < end && bytes[i] === DIGIT_0) {
    i++;
  } else {
    const digitsEnd = skipDigits(bytes, i, end);
    if (digitsEnd === i) return FAIL;
    i = digitsEnd;
  }
  if (i < end && bytes[i] === DOT) {
    const digitsEnd = skipDigits(bytes, i + 1, end);
    if (digitsEnd === i + 1) return FAIL;
    i = digitsEnd;
  }
  if (i < end && (bytes[i] === LOWER_E || bytes[i] === UPPER_E)) {
    i++;
    if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    const digitsEnd = skipDigits(bytes, i, end);
    if (digitsEnd === i) return FAIL;
    i = digitsEnd;
  }
  return i;
}

/**
 * End of the scalar value of `kind` that starts at `i` (for a string, the position after its
 * closing quote), or FAIL.
 */
function scanValue(bytes: Uint8Array, i: number, end: number, kind: number): number {
  if (kind === STRING) {
    const close = scanString(bytes, i + 1, end);
    return close === FAIL ? FAIL : close + 1;
  }
  if (kind === NUMBER) return scanNumber(bytes, i, end);
  const literal = kind === NULL ? 'null' : kind === TRUE ? 'true' : kind === FALSE ? 'false' : '';
  const literalEnd = i + literal.length;
  return literal !== '' && literalEnd <= end && spanEquals(bytes, i, literalEnd, literal)
    ? literalEnd
    : FAIL;
}

/** True if bytes `[start, end)` spell exactly the ASCII `text`. */
function spanEquals(bytes: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let j = 0; j < text.length; j++) {
    if (bytes[start + j] !== text.charCodeAt(j)) return false;
  }
  return true;
}

function spansEqual(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let j = 0; j < aEnd - a; j++) {
    if (bytes[a + j] !== bytes[b + j]) return false;
  }
  return true;
}

/** True if the name of `field` and a closing quote are at `i`: the key is exactly that name. */
function nameAt(bytes: Uint8Array, i: number, end: number, field: number): boolean {
  const name = FIELD_NAME_BYTES[field] ?? NO_NAME;
  if (i + name.length >= end || bytes[i + name.length] !== QUOTE) return false;
  for (let j = 0; j < name.length; j++) {
    if (bytes[i + j] !== name[j]) return false;
  }
  return true;
}

/**
 * The contract field named by the key whose text starts at `i` (after its opening quote), or
 * UNKNOWN_FIELD. `previous` is the field of the last known key, or -1.
 */
function fieldAt(bytes: Uint8Array, i: number, end: number, previous: number): number {
  const guess = NEXT_FIELD[previous + 1] ?? UNKNOWN_FIELD;
  if (guess !== UNKNOWN_FIELD && nameAt(bytes, i, end, guess)) return guess;
  const candidates = i < end ? FIELDS_BY_FIRST_BYTE[bytes[i] ?? 0] : undefined;
  if (candidates === undefined) return UNKNOWN_FIELD;
  for (const field of candidates) {
    if (nameAt(bytes, i, end, field)) {
      NEXT_FIELD[previous + 1] = field;
      return field;
    }
  }
  return UNKNOWN_FIELD;
}

// ---------------------------------------------------------------------------------------------
// Field values.

/** The entry of `environments` that the span spells, or undefined. */
function environmentAt(
  bytes: Uint8Array,
  start: number,
  end: number,
  environments: readonly string[],
): string | undefined {
  for (const env of environments) {
    if (spanEquals(bytes, start, end, env)) return env;
  }
  return undefined;
}

/**
 * Value of a number token made of plain digits only, or NaN. A sign, fraction or exponent is
 * left to parseEvent, and so is a token long enough to lose precision.
 */
function plainInteger(bytes: Uint8Array, start: number, end: number): number {
  if (end - start > MAX_INTEGER_DIGITS) return NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] ?? 0) - DIGIT_0;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** An ASCII span as a flat JS string. Allocates, so it is only used for what must be a string. */
function asciiString(bytes: Uint8Array, start: number, end: number): string {
  // Kafka hands out Buffers, and their native latin1 decoder is the fastest way to decode. For
  // ASCII, every single-byte decoding gives the same string.
  if (Buffer.isBuffer(bytes)) return bytes.toString('latin1', start, end);
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** `ts` in epoch ms if it is plainly valid (see timestamp() in validate-event.ts), else NaN. */
function timestampAt(
  bytes: Uint8Array,
  kind: number,
  start: number,
  end: number,
  nowMs: number,
): number {
  let ms = NaN;
  if (kind === NUMBER) {
    // Plain digits are already an integer, so Math.floor would not change them.
    ms = plainInteger(bytes, start, end);
  } else if (kind === STRING && end - start <= EVENT_LIMITS.tsString) {
    ms = parseRfc3339(asciiString(bytes, start, end));
  }
  // Written so that NaN fails: not plain, not a date, or a NaN clock.
  return ms >= MIN_EVENT_TS && ms <= nowMs + MAX_FUTURE_SKEW_MS ? ms : NaN;
}

/** `status` if it is a plain integer from 100 to 599, else NaN. */
function statusAt(bytes: Uint8Array, kind: number, start: number, end: number): number {
  const status = kind === NUMBER ? plainInteger(bytes, start, end) : NaN;
  return status >= 100 && status <= 599 ? status : NaN;
}

/**
 * True if `latency_ms` is null, or a number that JSON.parse plainly reads as finite and >= 0: no
 * sign, no exponent (which could overflow to Infinity), not absurdly long. `-0` is valid but
 * bails.
 */
function latencyOk(bytes: Uint8Array, kind: number, start: number, end: number): boolean {
  if (kind === NULL) return true;
  if (kind !== NUMBER || end - start > MAX_LATENCY_CHARS || bytes[start] === MINUS) return false;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b === LOWER_E || b === UPPER_E) return false;
  }
  return true;
}

/** True if `resource_env` is null or one of `environments`. */
function resourceEnvOk(
  bytes: Uint8Array,
  kind: number,
  start: number,
  end: number,
  environments: readonly string[],
): boolean {
  if (kind === NULL) return true;
  return kind === STRING && environmentAt(bytes, start, end, environments) !== undefined;
}

/** True if the span is empty or only spaces (the only whitespace a plain string can hold). */
function blankAt(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== SPACE) return false;
  return true;
}

/**
 * True if the span is a dotted-quad IPv4 address exactly as Node's `net.isIPv4` accepts it:
 * four decimal parts 0-255 without leading zeros. Checked on the bytes: most addresses are IPv4,
 * and this costs no string.
 */
function plainIpv4At(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || bytes[i] !== DOT) return false;
      i++;
    }
    const partEnd = skipDigits(bytes, i, end);
    const length = partEnd - i;
    if (length === 0 || length > 3 || (length > 1 && bytes[i] === DIGIT_0)) return false;
    if (plainInteger(bytes, i, partEnd) > 255) return false;
    i = partEnd;
  }
  return i === end;
}

/** `client_ip` that parseEvent keeps as it is, or drops without a flag (null, empty). */
function clientIpOk(bytes: Uint8Array, kind: number, start: number, end: number): boolean {
  if (kind === NULL || (kind === STRING && end === start)) return true;
  if (kind !== STRING || end - start > EVENT_LIMITS.clientIp) return false;
  // IPv6 (rarer) costs a string; the span is printable ASCII, so it decodes exactly.
  return plainIpv4At(bytes, start, end) || isIP(asciiString(bytes, start, end)) !== 0;
}

/** The rule of a string field: a string within its limits, or null where the field allows it. */
function stringFieldOk(field: number, kind: number, start: number, end: number): boolean {
  if (kind === NULL) return NULLABLE[field] === true;
  const length = end - start;
  return (
    kind === STRING && length >= (MIN_LENGTH[field] ?? 0) && length <= (MAX_LENGTH[field] ?? 0)
  );
}

// Key and account IDs repeat from event to event. A small direct-mapped cache returns the same
// string for the same bytes, so the hot path does not allocate them, and maps keyed by them reuse
// the hash that V8 caches on the string. A hit is compared byte for byte, so the cache only ever
// changes the speed. Bounded: at most INTERN_SLOTS strings of MAX_INTERNED chars.
const INTERN_SLOTS = 4096;
const MAX_INTERNED = 64;
const interned: string[] = new Array<string>(INTERN_SLOTS).fill('');

/** The span as a string, taken from the cache if the same bytes were seen recently. */
function internedString(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > MAX_INTERNED) return asciiString(bytes, start, end);
  // FNV-1a.
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] ?? 0), 0x01000193);
  const slot = hash & (INTERN_SLOTS - 1);
  const cached = interned[slot] ?? '';
  if (spanEquals(bytes, start, end, cached)) return cached;
  const fresh = asciiString(bytes, start, end);
  interned[slot] = fresh;
  return fresh;
}

// ---------------------------------------------------------------------------------------------

/**
 * What `scanCountable` returns: the cheap fields decoded by the scan, `method` and `resourceId`
 * decoded from their spans when first read (see the module comment).
 */
class ScannedEvent implements CountableEvent {
  /** undefined until `resourceId` is first read. */
  private derivedId: string | null | undefined = undefined;

  constructor(
    readonly ts: number,
    readonly env: string,
    readonly keyId: string | null,
    readonly accountId: string | null,
    readonly status: number,
    readonly resourceOwner: string | null | undefined,
    private readonly bytes: Uint8Array,
    private readonly methodStart: number,
    private readonly methodEnd: number,
    private readonly pathStart: number,
    private readonly pathEnd: number,
    /** FAIL when the route is null or absent. */
    private readonly routeStart: number,
    private readonly routeEnd: number,
    /** FAIL when resource_id is null or absent. */
    private readonly idStart: number,
    private readonly idEnd: number,
  ) {}

  get method(): string {
    // A handful of distinct values: the cache hands back the same string without allocating.
    return internedString(this.bytes, this.methodStart, this.methodEnd);
  }

  get resourceId(): string | null {
    if (this.derivedId === undefined) this.derivedId = this.decodeResourceId();
    return this.derivedId;
  }

  /** As validateFields: a non-empty resource_id as given, else derived from path and route. */
  private decodeResourceId(): string | null {
    const { bytes, idStart, idEnd, routeStart } = this;
    if (idStart !== FAIL && idEnd > idStart) return asciiString(bytes, idStart, idEnd);
    const route = routeStart === FAIL ? null : internedString(bytes, routeStart, this.routeEnd);
    return deriveResourceId(asciiString(bytes, this.pathStart, this.pathEnd), route);
  }
}

/** The span's start if the field was seen with a string value, else FAIL (null or absent). */
function stringStart(seen: number, field: number): number {
  return (seen & (1 << field)) === 0 ? FAIL : (VALUE_START[field] ?? FAIL);
}

// ---------------------------------------------------------------------------------------------

/**
 * The countable fields of a plain, valid v1 event that is neither a denial nor a foreign access.
 * Returns undefined for anything else, and the caller then runs `parseEvent`. See the module
 * comment for the exact contract.
 */
export function scanCountable(bytes: Uint8Array, opts: ScanOptions): CountableEvent | undefined {
  const end = bytes.length;
  if (end > opts.maxBytes) return undefined;
  // A leading BOM, which parseEvent's decoder would drop, bails here like any other non-`{`.
  let i = skipWhitespace(bytes, 0, end);
  if (i >= end || bytes[i] !== OPEN_BRACE) return undefined;
  i = skipWhitespace(bytes, i + 1, end);

  let seen = 0;
  let previous = -1;
  let ts = NaN;
  let env: string | undefined;
  let status = NaN;

  // One iteration per member: `"key" : value`, then `,` or `}`. `{}` bails here too, since it
  // lacks the required fields.
  for (;;) {
    if (i >= end || bytes[i] !== QUOTE) return undefined;
    const field = fieldAt(bytes, i + 1, end, previous);
    const nameEnd =
      field === UNKNOWN_FIELD
        ? scanString(bytes, i + 1, end)
        : i + 1 + (FIELD_NAME_BYTES[field] ?? NO_NAME).length;
    if (nameEnd === FAIL) return undefined;
    i = skipWhitespace(bytes, nameEnd + 1, end);
    if (i >= end || bytes[i] !== COLON) return undefined;
    i = skipWhitespace(bytes, i + 1, end);
    if (i >= end) return undefined;

    const kind = KIND_BY_FIRST_BYTE[bytes[i] ?? 0] ?? NOT_SCALAR;
    const valueEnd = scanValue(bytes, i, end, kind);
    if (valueEnd === FAIL) return undefined;
    // The value's span; for a string, the part between the quotes.
    const start = kind === STRING ? i + 1 : i;
    const stop = kind === STRING ? valueEnd - 1 : valueEnd;
    i = valueEnd;

    if (field !== UNKNOWN_FIELD) {
      const bit = 1 << field;
      if ((seen & bit) !== 0) return undefined;
      seen |= bit;
      previous = field;
      switch (field) {
        case TS:
          ts = timestampAt(bytes, kind, start, stop, opts.nowMs);
          if (Number.isNaN(ts)) return undefined;
          break;
        case ENV:
          env = kind === STRING ? environmentAt(bytes, start, stop, opts.environments) : undefined;
          if (env === undefined) return undefined;
          break;
        case STATUS:
          status = statusAt(bytes, kind, start, stop);
          if (Number.isNaN(status)) return undefined;
          break;
        case RESOURCE_ENV:
          if (!resourceEnvOk(bytes, kind, start, stop, opts.environments)) return undefined;
          break;
        case LATENCY_MS:
          if (!latencyOk(bytes, kind, start, stop)) return undefined;
          break;
        case CLIENT_IP:
          if (!clientIpOk(bytes, kind, start, stop)) return undefined;
          break;
        case KEY_ID:
        case ACCOUNT_ID:
          if (!stringFieldOk(field, kind, start, stop)) return undefined;
          if (kind === STRING && blankAt(bytes, start, stop)) return undefined;
          VALUE_START[field] = kind === STRING ? start : FAIL;
          VALUE_END[field] = stop;
          break;
        default:
          if (!stringFieldOk(field, kind, start, stop)) return undefined;
          VALUE_START[field] = kind === STRING ? start : FAIL;
          VALUE_END[field] = stop;
      }
    }

    i = skipWhitespace(bytes, i, end);
    if (i >= end) return undefined;
    if (bytes[i] === CLOSE_BRACE) break;
    if (bytes[i] !== COMMA) return undefined;
    i = skipWhitespace(bytes, i + 1, end);
  }
  // Only whitespace may follow the object.
  if (skipWhitespace(bytes, i + 1, end) !== end) return undefined;
  if ((seen & REQUIRED_FIELDS) !== REQUIRED_FIELDS || env === undefined) return undefined;

  // Denials and foreign accesses (a known owner that is not the caller's account) need the full
  // event.
  if (status === 403) {
    const errorStart = stringStart(seen, ERROR);
    const errorEnd = VALUE_END[ERROR] ?? FAIL;
    if (errorStart !== FAIL && spanEquals(bytes, errorStart, errorEnd, OWNERSHIP_DENIED)) {
      return undefined;
    }
  }
  // key_id and account_id are required, so seen.
  const keyStart = VALUE_START[KEY_ID] ?? FAIL;
  const accountStart = VALUE_START[ACCOUNT_ID] ?? FAIL;
  const accountEnd = VALUE_END[ACCOUNT_ID] ?? FAIL;
  const ownerStart = stringStart(seen, RESOURCE_OWNER);
  const ownerEnd = VALUE_END[RESOURCE_OWNER] ?? FAIL;
  if (
    ownerStart !== FAIL &&
    accountStart !== FAIL &&
    !spansEqual(bytes, ownerStart, ownerEnd, accountStart, accountEnd)
  ) {
    return undefined;
  }

  const accountId = accountStart === FAIL ? null : internedString(bytes, accountStart, accountEnd);
  // Absent, null, or (since this is no foreign access) the caller's own account unless that is
  // null.
  let resourceOwner: string | null | undefined;
  if ((seen & (1 << RESOURCE_OWNER)) === 0) resourceOwner = undefined;
  else if (ownerStart === FAIL) resourceOwner = null;
  else resourceOwner = accountId ?? internedString(bytes, ownerStart, ownerEnd);

  return new ScannedEvent(
    ts,
    env,
    keyStart === FAIL ? null : internedString(bytes, keyStart, VALUE_END[KEY_ID] ?? FAIL),
    accountId,
    status,
    resourceOwner,
    bytes,
    VALUE_START[METHOD] ?? FAIL,
    VALUE_END[METHOD] ?? FAIL,
    VALUE_START[PATH] ?? FAIL,
    VALUE_END[PATH] ?? FAIL,
    stringStart(seen, ROUTE),
    VALUE_END[ROUTE] ?? FAIL,
    stringStart(seen, RESOURCE_ID),
    VALUE_END[RESOURCE_ID] ?? FAIL,
  );
}
