import { describe, expect, it } from 'vitest';

import { EVENT_LIMITS, parseEvent } from '../src/index.js';
import { NOW, now, parse, parseOk, parseReason, wireEvent, wireEventWithout } from './fixtures.js';

describe('parseEvent: a valid event', () => {
  it('normalizes every field to the camelCase ApiEvent', () => {
    expect(parseOk(wireEvent())).toStrictEqual({
      ts: Date.UTC(2025, 4, 31, 23, 59, 58, 123),
      requestId: 'req_01HX3K9V7Q2M8N4P6R5T0W1Y2Z',
      env: 'production',
      method: 'GET',
      path: '/v1/invoices/inv_004512?expand=lines',
      status: 403,
      keyId: 'key_live_7f3a9c1e2b4d',
      accountId: 'acct_000123',
      error: 'ownership_denied',
      route: '/v1/invoices/{invoice_id}',
      resourceType: 'invoice',
      resourceId: 'inv_004512',
      resourceOwner: 'acct_000999',
      resourceEnv: 'production',
      clientIp: '203.0.113.7',
      userAgent: 'curl/8.4.0',
      latencyMs: 12.5,
      isDenial: true,
    });
  });

  it('fills absent optional fields with null (resourceOwner with undefined)', () => {
    const minimal = {
      ts: 1_748_736_000_000,
      request_id: 'r1',
      env: 'staging',
      method: 'POST',
      path: '/v1/charges',
      status: 201,
      key_id: null,
      account_id: null,
    };
    expect(parseOk(minimal)).toStrictEqual({
      ts: 1_748_736_000_000,
      requestId: 'r1',
      env: 'staging',
      method: 'POST',
      path: '/v1/charges',
      status: 201,
      keyId: null,
      accountId: null,
      error: null,
      route: null,
      resourceType: null,
      resourceId: null,
      resourceOwner: undefined,
      resourceEnv: null,
      clientIp: null,
      userAgent: null,
      latencyMs: null,
      isDenial: false,
    });
  });

  it('keeps the three states of resource_owner apart', () => {
    const absent = parseOk(wireEventWithout('resource_owner'));
    expect(absent.resourceOwner).toBeUndefined();
    expect('resourceOwner' in absent).toBe(true);
    expect(parseOk(wireEvent({ resource_owner: null })).resourceOwner).toBeNull();
    expect(parseOk(wireEvent({ resource_owner: 'acct_9' })).resourceOwner).toBe('acct_9');
    expect(parseOk(wireEvent({ resource_owner: '' })).resourceOwner).toBe('');
  });

  it('maps resource_env null and absent both to null', () => {
    expect(parseOk(wireEvent({ resource_env: null })).resourceEnv).toBeNull();
    expect(parseOk(wireEventWithout('resource_env')).resourceEnv).toBeNull();
    expect(parseOk(wireEvent({ resource_env: 'sandbox' })).resourceEnv).toBe('sandbox');
  });

  it.each([
    [403, 'ownership_denied', true],
    [403, null, false],
    [403, 'forbidden', false],
    [403, 'OWNERSHIP_DENIED', false],
    [404, 'ownership_denied', false],
    [200, null, false],
  ])('isDenial for status %s and error %s is %s', (status, error, isDenial) => {
    expect(parseOk(wireEvent({ status, error })).isDenial).toBe(isDenial);
  });

  it('treats an absent error like null', () => {
    expect(parseOk(wireEventWithout('error'))).toMatchObject({ error: null, isDenial: false });
  });

  it('ignores unknown fields, whatever they hold', () => {
    const event = parseOk(
      wireEvent({ trace_id: 'abc', nested: { a: [1, 2, { b: null }] }, StatusCode: 'x', tS: 1 }),
    );
    expect(event).toStrictEqual(parseOk(wireEvent()));
  });

  it('uses resource_id verbatim when given, without URL-decoding it', () => {
    expect(parseOk(wireEvent({ resource_id: 'inv%5F1' })).resourceId).toBe('inv%5F1');
  });

  it('derives resource_id from path and route when absent or empty', () => {
    expect(parseOk(wireEvent()).resourceId).toBe('inv_004512');
    expect(parseOk(wireEvent({ resource_id: '' })).resourceId).toBe('inv_004512');
    expect(parseOk(wireEventWithout('route')).resourceId).toBe('inv_004512');
  });

  it('derives resource_id for non-denials too', () => {
    const event = parseOk(wireEvent({ status: 200, error: null, resource_owner: 'acct_000123' }));
    expect(event.resourceId).toBe('inv_004512');
    const unknownOwner = parseOk(wireEventWithout('resource_owner', 'error'));
    expect(unknownOwner.resourceId).toBe('inv_004512');
  });

  it('truncates user_agent to 512 characters instead of rejecting', () => {
    const long = 'Mozilla/5.0 '.repeat(100);
    expect(parseOk(wireEvent({ user_agent: long })).userAgent).toBe(long.slice(0, 512));
    const exact = 'a'.repeat(512);
    expect(parseOk(wireEvent({ user_agent: exact })).userAgent).toBe(exact);
  });

  it('does not cut a surrogate pair when truncating user_agent', () => {
    const ua = `${'a'.repeat(511)}😀tail`;
    const truncated = parseOk(wireEvent({ user_agent: ua })).userAgent;
    expect(truncated).toBe('a'.repeat(511));
    expect(truncated?.isWellFormed()).toBe(true);
  });

  it('accepts Buffer, Uint8Array and string input alike', () => {
    const json = JSON.stringify(wireEvent());
    const expected = parseOk(json);
    expect(parseOk(Buffer.from(json))).toStrictEqual(expected);
    expect(parseOk(new TextEncoder().encode(json))).toStrictEqual(expected);
  });

  it('accepts a Buffer that is a view into a larger pooled buffer', () => {
    const json = JSON.stringify(wireEvent());
    const pool = Buffer.from(`garbage${json}garbage`);
    const view = pool.subarray(7, 7 + Buffer.byteLength(json));
    expect(parseOk(view).requestId).toBe('req_01HX3K9V7Q2M8N4P6R5T0W1Y2Z');
  });

  it('skips a leading byte-order mark in bytes and in strings', () => {
    const json = JSON.stringify(wireEvent());
    expect(
      parseOk(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])).status,
    ).toBe(403);
    expect(parseOk(`\uFEFF${json}`).status).toBe(403);
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const json = JSON.stringify(wireEvent()).replace('"status":403', '"status":200,"status":403');
    expect(parseOk(json).status).toBe(403);
  });

  it('never returns an object sharing structure with the parsed input', () => {
    const event = parseOk(wireEvent());
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.keys(event)).toHaveLength(18);
  });
});

describe('parseEvent: the message itself', () => {
  it('rejects empty messages', () => {
    expect(parseReason('')).toBe('empty message');
    expect(parseReason(Buffer.alloc(0))).toBe('empty message');
    expect(parseReason(new Uint8Array(0))).toBe('empty message');
  });

  it('rejects whitespace-only messages as invalid JSON', () => {
    expect(parseReason('   \n')).toBe('invalid JSON: Unexpected end of JSON input');
  });

  it('rejects messages above the default limit of 262144 bytes before parsing', () => {
    expect(EVENT_LIMITS.maxMessageBytes).toBe(262_144);
    const big = Buffer.alloc(262_145, 0x20);
    expect(parseReason(big)).toBe('message too large (262145 bytes > 262144)');
    // Not even decoded: invalid UTF-8 beyond the limit still reports the size.
    expect(parseReason(Buffer.alloc(300_000, 0xff))).toBe(
      'message too large (300000 bytes > 262144)',
    );
  });

  it('accepts a message of exactly the limit', () => {
    const json = JSON.stringify(wireEvent());
    const padded = json.slice(0, -1) + ' '.repeat(262_144 - json.length) + '}';
    expect(Buffer.byteLength(padded)).toBe(262_144);
    expect(parse(padded).ok).toBe(true);
  });

  it('counts UTF-8 bytes, not UTF-16 units, for string input', () => {
    const json = JSON.stringify(wireEvent({ note: 'é'.repeat(100) }));
    const bytes = Buffer.byteLength(json);
    expect(bytes).toBeGreaterThan(json.length);
    expect(parseReason(json, { maxBytes: bytes - 1 })).toBe(
      `message too large (${bytes} bytes > ${bytes - 1})`,
    );
    expect(parse(json, { maxBytes: bytes }).ok).toBe(true);
  });

  it('honours a configured maxBytes', () => {
    expect(parseReason(JSON.stringify(wireEvent()), { maxBytes: 100 })).toMatch(
      /^message too large \(\d+ bytes > 100\)$/,
    );
    const big = JSON.stringify(wireEvent({ padding: 'x'.repeat(300_000) }));
    expect(parse(big, { maxBytes: 1_000_000 }).ok).toBe(true);
  });

  it('rejects invalid UTF-8 with a fixed reason', () => {
    const json = Buffer.from(JSON.stringify(wireEvent()));
    const broken = Buffer.concat([json.subarray(0, 20), Buffer.from([0xc3]), json.subarray(20)]);
    expect(parseReason(broken)).toBe('invalid UTF-8');
  });

  it.each([
    ['not JSON at all', 'hello', /^invalid JSON: Unexpected token/],
    ['truncated', '{"ts":', /^invalid JSON: Unexpected end of JSON input$/],
    ['trailing comma', '{"a":1,}', /^invalid JSON: /],
    ['single quotes', "{'a':1}", /^invalid JSON: /],
    ['trailing garbage', '{"a":1}}', /^invalid JSON: Unexpected non-whitespace character/],
    ['NaN literal', '{"status":NaN}', /^invalid JSON: /],
  ])('reports the parser message for %s', (_name, text, reason) => {
    expect(parseReason(text)).toMatch(reason);
  });

  it('keeps JSON error reasons short even for long garbage', () => {
    const reason = parseReason(`{"a":"${'x'.repeat(5000)}`);
    expect(reason.startsWith('invalid JSON: ')).toBe(true);
    expect(reason.length).toBeLessThanOrEqual(14 + 161);
  });

  it.each([
    ['[]', 'array'],
    ['[{"ts":1}]', 'array'],
    ['42', 'number'],
    ['"event"', 'string'],
    ['null', 'null'],
    ['true', 'boolean'],
  ])('rejects the non-object JSON %s', (text, kind) => {
    expect(parseReason(text)).toBe(`expected a JSON object, got ${kind}`);
  });

  it('rejects an empty object with the first missing field', () => {
    expect(parseReason('{}')).toBe('missing required field: ts');
  });
});

describe('parseEvent: options', () => {
  it('checks env against the configured environments', () => {
    const opts = { environments: ['prod', 'qa'] };
    expect(parseOk(wireEvent({ env: 'qa', resource_env: 'prod' }), opts).env).toBe('qa');
    expect(parseReason(wireEvent({ env: 'production', resource_env: null }), opts)).toBe(
      'env: "production" is not one of prod, qa',
    );
  });

  it('reads the clock once per event through opts.now', () => {
    let calls = 0;
    const clock = () => {
      calls++;
      return NOW;
    };
    parseEvent(JSON.stringify(wireEvent()), { now: clock });
    expect(calls).toBe(1);
  });

  it('uses the real clock by default', () => {
    const event = wireEvent({ ts: Date.now() + 2 * 86_400_000 });
    const result = parseEvent(JSON.stringify(event));
    expect(result.ok).toBe(false);
    expect(parseEvent(JSON.stringify(wireEvent({ ts: Date.now() }))).ok).toBe(true);
  });

  it('reports a throwing clock instead of throwing', () => {
    const result = parseEvent(JSON.stringify(wireEvent()), {
      now: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    expect(result).toStrictEqual({
      ok: false,
      reason: 'internal error while validating: Maximum call stack size exceeded',
    });
  });

  it('accepts explicitly undefined options', () => {
    const opts = { maxBytes: undefined, environments: undefined, now };
    expect(parseEvent(JSON.stringify(wireEvent()), opts).ok).toBe(true);
  });
});
