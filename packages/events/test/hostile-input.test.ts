import { describe, expect, it } from 'vitest';

import { parseEvent } from '../src/index.js';
import { now, parse, parseOk, parseReason, wireEvent } from './fixtures.js';

/** A valid event's JSON with `extra` spliced in as raw JSON text before the closing brace. */
function withRawField(extra: string): string {
  return `${JSON.stringify(wireEvent()).slice(0, -1)},${extra}}`;
}

function nested(depth: number, open = '[', close = ']'): string {
  return open.repeat(depth) + close.repeat(depth);
}

describe('prototype keys', () => {
  it('ignores a __proto__ key without polluting anything', () => {
    const json = withRawField('"__proto__":{"isDenial":false,"polluted":"yes","status":200}');
    const event = parseOk(json);
    expect(event.isDenial).toBe(true);
    expect(event.status).toBe(403);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.keys(event)).not.toContain('__proto__');
    expect((event as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores constructor and prototype keys', () => {
    const json = withRawField(
      '"constructor":{"prototype":{"polluted":1}},"prototype":{"polluted":1},"hasOwnProperty":1',
    );
    const event = parseOk(json);
    expect(Object.keys(event)).toHaveLength(18);
    expect(event.constructor).toBe(Object);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not read contract fields through a __proto__ key', () => {
    const json = JSON.stringify(wireEvent())
      .replace('"request_id":"req_01HX3K9V7Q2M8N4P6R5T0W1Y2Z",', '')
      .replace(/}$/, ',"__proto__":{"request_id":"smuggled"}}');
    expect(parseReason(json)).toBe('missing required field: request_id');
  });

  it('keeps prototype-ish names as plain data in values', () => {
    const event = parseOk(
      wireEvent({ request_id: '__proto__', key_id: 'constructor', resource_id: 'toString' }),
    );
    expect(event).toMatchObject({
      requestId: '__proto__',
      keyId: 'constructor',
      resourceId: 'toString',
    });
  });
});

describe('deeply nested JSON', () => {
  it('ignores 10,000 levels of nesting in an unknown field', () => {
    expect(parseOk(withRawField(`"deep":${nested(10_000)}`)).status).toBe(403);
    expect(
      parseOk(withRawField(`"deep":${nested(10_000, '{"a":', '}').replace(/}+$/, (m) => `1${m}`)}`))
        .status,
    ).toBe(403);
  });

  it('rejects 10,000 levels of nesting in a contract field with a plain reason', () => {
    const json = JSON.stringify(wireEvent()).replace('"status":403', `"status":${nested(10_000)}`);
    expect(parseReason(json)).toBe('status: expected integer 100-599, got array');
  });

  it('rejects a deeply nested top-level array as a non-object', () => {
    expect(parseReason(nested(10_000))).toBe('expected a JSON object, got array');
  });

  it('never throws, even for nesting as deep as a 1 MiB message allows', () => {
    const depth = 500_000;
    const opts = { now, maxBytes: 1_048_576 };
    expect(() => parseEvent(nested(depth), opts)).not.toThrow();
    expect(() => parseEvent(withRawField(`"deep":${nested(depth)}`), opts)).not.toThrow();
    expect(() => parseEvent(nested(depth, '{"a":', '}'), opts)).not.toThrow();
    const unbalanced = parseEvent('['.repeat(depth), opts);
    expect(unbalanced.ok).toBe(false);
  });
});

describe('strings are data, kept verbatim', () => {
  const hostileIds = [
    "inv_1' OR '1'='1",
    '"; DROP TABLE x; --',
    "'; SELECT * FROM system.users; --",
    '\\',
    '\\"\\\'',
    'inv_1\u0000',
    '\u0000\u0001\u0002\u001f\u007f',
    'line\r\nbreak\ttab',
    'emoji 😀🏳️‍🌈',
    'rtl \u202Eevil\u202C',
    'zero\u200Bwidth',
    '\uFEFFbom',
    '\uD800lone surrogate',
    '{{7*7}} ${jndi:ldap://x} %s %n',
    '<script>alert(1)</script>',
  ];

  it.each(hostileIds)('keeps %j in every string field', (value) => {
    const event = parseOk(
      wireEvent({
        request_id: value,
        key_id: value,
        account_id: value,
        resource_id: value,
        resource_owner: value,
        resource_type: value,
        error: value,
        user_agent: value,
        client_ip: value.slice(0, 64),
      }),
    );
    expect(event).toMatchObject({
      requestId: value,
      keyId: value,
      accountId: value,
      resourceId: value,
      resourceOwner: value,
      resourceType: value,
      error: value,
      userAgent: value,
    });
  });

  it('keeps NUL and control characters from JSON escapes', () => {
    const json = JSON.stringify(wireEvent()).replace(
      '"req_01HX3K9V7Q2M8N4P6R5T0W1Y2Z"',
      '"req\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\\"x"',
    );
    expect(parseOk(json).requestId).toBe('req\u0000\u0001\b\f\n\r\t\u001f"x');
  });

  it('rejects raw (unescaped) control characters inside strings as invalid JSON', () => {
    const json = JSON.stringify(wireEvent()).replace('req_01', 'req\u0001_01');
    expect(parseReason(json)).toMatch(/^invalid JSON: Bad control character in string literal/);
  });

  it('derives IDs with quotes and SQL verbatim from the path', () => {
    const path = `/v1/invoices/${encodeURIComponent("inv_1' OR '1'='1")}`;
    expect(parseOk(wireEvent({ path })).resourceId).toBe("inv_1' OR '1'='1");
    const raw = "/v1/invoices/inv_1'--";
    expect(parseOk(wireEvent({ path: raw })).resourceId).toBe("inv_1'--");
  });

  it('derives IDs with emoji and RTL overrides verbatim', () => {
    expect(parseOk(wireEvent({ path: '/v1/invoices/inv_😀1' })).resourceId).toBe('inv_😀1');
    expect(parseOk(wireEvent({ path: '/v1/invoices/\u202Einv_1' })).resourceId).toBe('\u202Einv_1');
  });
});

describe('size', () => {
  it('rejects a 10 kB request_id with its length, not its content', () => {
    const reason = parseReason(wireEvent({ request_id: 'x'.repeat(10_000) }));
    expect(reason).toBe(
      'request_id: expected non-empty string of at most 256 chars, got 10000 chars',
    );
  });

  it('bounds untrusted text quoted in reasons', () => {
    const reason = parseReason(wireEvent({ env: `prod${'\u0000'.repeat(10_000)}` }));
    expect(reason.length).toBeLessThan(500);
    expect(reason).toContain('\\u0000');
    expect(reason).not.toContain('\u0000');
  });

  it('ignores a 10 kB unknown field and truncates a 10 kB user agent', () => {
    const event = parseOk(wireEvent({ blob: 'x'.repeat(10_000), user_agent: 'u'.repeat(10_000) }));
    expect(event.userAgent).toHaveLength(512);
  });

  it('derives a bounded resourceId from a path with a 5 kB segment', () => {
    const path = `/v1/files/f${'1'.repeat(5000)}`;
    expect(parseOk(wireEvent({ path, route: '/v1/files/{id}' })).resourceId).toHaveLength(1024);
  });
});

describe('bytes that are not UTF-8', () => {
  const json = Buffer.from(JSON.stringify(wireEvent()));
  const inside = (bad: number[]) =>
    Buffer.concat([json.subarray(0, 30), Buffer.from(bad), json.subarray(30)]);

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an invalid byte', [0xff]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['an encoded surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('rejects %s', (_name, bad) => {
    expect(parseReason(inside(bad))).toBe('invalid UTF-8');
  });

  it('rejects Latin-1 text', () => {
    expect(parseReason(Buffer.from('{"request_id":"caf\u00e9"}', 'latin1'))).toBe('invalid UTF-8');
  });

  it('rejects UTF-16 text as invalid JSON (its ASCII half is valid UTF-8 with NULs)', () => {
    const utf16 = Buffer.from(JSON.stringify(wireEvent()), 'utf16le');
    expect(parseReason(utf16)).toMatch(/^invalid JSON: /);
  });

  it('accepts valid multi-byte UTF-8', () => {
    const event = parseOk(Buffer.from(JSON.stringify(wireEvent({ request_id: 'req_日本語_😀' }))));
    expect(event.requestId).toBe('req_日本語_😀');
  });

  it('keeps working after a decoding failure (the shared decoder holds no state)', () => {
    expect(parseReason(Buffer.from([0x7b, 0xe2, 0x82]))).toBe('invalid UTF-8');
    expect(parseOk(json).status).toBe(403);
  });
});

describe('numbers', () => {
  it('rejects a status that overflows to Infinity', () => {
    const json = JSON.stringify(wireEvent()).replace('"status":403', '"status":1e400');
    expect(parseReason(json)).toBe('status: expected integer 100-599, got Infinity');
  });

  it('rejects a latency that overflows to Infinity', () => {
    const json = JSON.stringify(wireEvent()).replace('"latency_ms":12.5', '"latency_ms":1e400');
    expect(parseReason(json)).toBe('latency_ms: expected finite number >= 0 or null, got Infinity');
  });

  it('accepts a status written with an exponent', () => {
    const json = JSON.stringify(wireEvent()).replace('"status":403', '"status":4.03e2');
    expect(parse(json).ok).toBe(true);
  });
});
