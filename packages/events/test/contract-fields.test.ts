import { describe, expect, it } from 'vitest';

import {
  OPTIONAL_FIELDS,
  REQUIRED_FIELDS,
  parseOk,
  parseReason,
  wireEvent,
  wireEventWithout,
} from './fixtures.js';

describe('required fields', () => {
  it.each(REQUIRED_FIELDS)('rejects an event without %s', (field) => {
    expect(parseReason(wireEventWithout(field))).toBe(`missing required field: ${field}`);
  });

  it('reports the first missing field in contract order', () => {
    expect(parseReason(wireEventWithout('status', 'request_id'))).toBe(
      'missing required field: request_id',
    );
  });

  it('accepts an event with only the required fields', () => {
    expect(parseOk(wireEventWithout(...OPTIONAL_FIELDS)).requestId).toBe(
      'req_01HX3K9V7Q2M8N4P6R5T0W1Y2Z',
    );
  });

  it.each(OPTIONAL_FIELDS)('accepts an event without %s', (field) => {
    expect(parseOk(wireEventWithout(field)).status).toBe(403);
  });

  it.each(['route', 'resource_type', 'resource_id', 'client_ip', 'user_agent', 'latency_ms'])(
    'takes %s: null as absent (gateways write null for missing values)',
    (field) => {
      const event = parseOk(wireEvent({ [field]: null }));
      expect(event.status).toBe(403);
      expect(event).toEqual(parseOk(wireEventWithout(field)));
    },
  );

  it.each(['key_id', 'account_id'])(
    'accepts %s: null (and only null is not a missing field)',
    (field) => {
      expect(parseOk(wireEvent({ [field]: null })).status).toBe(403);
    },
  );
});

// [field, value, expected reason]
const WRONG: [string, unknown, string][] = [
  ['ts', true, 'ts: expected RFC 3339 string or epoch milliseconds, got boolean'],
  ['ts', null, 'ts: expected RFC 3339 string or epoch milliseconds, got null'],
  ['ts', [1], 'ts: expected RFC 3339 string or epoch milliseconds, got array'],
  ['ts', { ms: 1 }, 'ts: expected RFC 3339 string or epoch milliseconds, got object'],
  ['request_id', 42, 'request_id: expected non-empty string of at most 256 chars, got number'],
  ['request_id', null, 'request_id: expected non-empty string of at most 256 chars, got null'],
  [
    'request_id',
    '',
    'request_id: expected non-empty string of at most 256 chars, got empty string',
  ],
  [
    'request_id',
    'r'.repeat(257),
    'request_id: expected non-empty string of at most 256 chars, got 257 chars',
  ],
  ['env', 1, 'env: expected string, got number'],
  ['env', null, 'env: expected string, got null'],
  ['env', 'prod', 'env: "prod" is not one of production, staging, sandbox, development'],
  [
    'env',
    'Production',
    'env: "Production" is not one of production, staging, sandbox, development',
  ],
  ['env', '', 'env: "" is not one of production, staging, sandbox, development'],
  ['method', ['GET'], 'method: expected string of at most 16 chars, got array'],
  ['method', 'M'.repeat(17), 'method: expected string of at most 16 chars, got 17 chars'],
  ['path', 7, 'path: expected string of at most 8192 chars, got number'],
  ['path', `/${'a'.repeat(8192)}`, 'path: expected string of at most 8192 chars, got 8193 chars'],
  ['status', '403', 'status: expected integer 100-599, got string'],
  ['status', null, 'status: expected integer 100-599, got null'],
  ['status', 403.5, 'status: expected integer 100-599, got 403.5'],
  ['status', 99, 'status: expected integer 100-599, got 99'],
  ['status', 600, 'status: expected integer 100-599, got 600'],
  ['status', -403, 'status: expected integer 100-599, got -403'],
  ['status', true, 'status: expected integer 100-599, got boolean'],
  ['key_id', 12, 'key_id: expected string of at most 256 chars or null, got number'],
  ['key_id', { id: 'k' }, 'key_id: expected string of at most 256 chars or null, got object'],
  [
    'key_id',
    'k'.repeat(257),
    'key_id: expected string of at most 256 chars or null, got 257 chars',
  ],
  ['account_id', false, 'account_id: expected string of at most 256 chars or null, got boolean'],
  [
    'account_id',
    'a'.repeat(300),
    'account_id: expected string of at most 256 chars or null, got 300 chars',
  ],
  ['error', 403, 'error: expected string of at most 256 chars or null, got number'],
  ['error', 'e'.repeat(257), 'error: expected string of at most 256 chars or null, got 257 chars'],
  ['route', 1, 'route: expected string of at most 8192 chars or null, got number'],
  [
    'resource_type',
    ['invoice'],
    'resource_type: expected string of at most 256 chars or null, got array',
  ],
  ['resource_id', 4512, 'resource_id: expected string of at most 1024 chars or null, got number'],
  [
    'resource_id',
    'i'.repeat(1025),
    'resource_id: expected string of at most 1024 chars or null, got 1025 chars',
  ],
  ['resource_owner', 5, 'resource_owner: expected string of at most 256 chars or null, got number'],
  [
    'resource_owner',
    'o'.repeat(257),
    'resource_owner: expected string of at most 256 chars or null, got 257 chars',
  ],
  ['resource_env', 1, 'resource_env: expected string or null, got number'],
  [
    'resource_env',
    'qa',
    'resource_env: "qa" is not one of production, staging, sandbox, development',
  ],
  ['client_ip', 3405803783, 'client_ip: expected string of at most 64 chars or null, got number'],
  [
    'client_ip',
    '1'.repeat(65),
    'client_ip: expected string of at most 64 chars or null, got 65 chars',
  ],
  ['user_agent', { name: 'curl' }, 'user_agent: expected string or null, got object'],
  ['latency_ms', '12', 'latency_ms: expected finite number >= 0 or null, got string'],
  ['latency_ms', -1, 'latency_ms: expected finite number >= 0 or null, got -1'],
];

describe('wrong types and values', () => {
  it.each(WRONG)('rejects %s = %j', (field, value, reason) => {
    expect(parseReason(wireEvent({ [field]: value }))).toBe(reason);
  });

  it('covers every field of the contract', () => {
    const covered = new Set(WRONG.map(([field]) => field));
    expect([...covered].sort()).toStrictEqual([...REQUIRED_FIELDS, ...OPTIONAL_FIELDS].sort());
  });
});

describe('limits are inclusive', () => {
  it.each([
    ['request_id', 'r'.repeat(256), 'requestId'],
    ['method', 'M'.repeat(16), 'method'],
    ['key_id', 'k'.repeat(256), 'keyId'],
    ['account_id', 'a'.repeat(256), 'accountId'],
    ['resource_id', 'i'.repeat(1024), 'resourceId'],
    ['resource_owner', 'o'.repeat(256), 'resourceOwner'],
    // The longest kind of address: IPv6 with a zone index (net.isIP accepts it).
    ['client_ip', `fe80::1%${'e'.repeat(56)}`, 'clientIp'],
    ['error', 'e'.repeat(256), 'error'],
    ['resource_type', 't'.repeat(256), 'resourceType'],
  ] as const)('accepts %s at its limit', (field, value, key) => {
    expect(parseOk(wireEvent({ [field]: value }))[key]).toBe(value);
  });

  it('accepts a path of exactly 8192 chars', () => {
    const path = `/${'a'.repeat(8191)}`;
    expect(parseOk(wireEvent({ path })).path).toBe(path);
  });

  it.each([100, 599, 200, 403, 451])('accepts status %s', (status) => {
    expect(parseOk(wireEvent({ status })).status).toBe(status);
  });

  it('accepts status written as 403.0 (JSON does not tell integers apart)', () => {
    const json = JSON.stringify(wireEvent()).replace('"status":403', '"status":403.0');
    expect(parseOk(json).status).toBe(403);
  });

  it('accepts empty strings where only a maximum is set', () => {
    // Not key_id and account_id: a blank ID is dead-lettered (blank-ids-client-ip.test.ts).
    const event = parseOk(wireEvent({ method: '', resource_type: '', client_ip: '' }));
    // An empty client_ip is no address: null, like an absent one.
    expect(event).toMatchObject({ method: '', resourceType: '', clientIp: null });
  });

  it.each([0, 0.001, 120_000])('accepts latency_ms %s', (latency) => {
    expect(parseOk(wireEvent({ latency_ms: latency })).latencyMs).toBe(latency);
  });

  it('accepts latency_ms -0 (it is not below zero)', () => {
    const json = JSON.stringify(wireEvent()).replace('"latency_ms":12.5', '"latency_ms":-0');
    expect(parseOk(json).latencyMs).toBe(-0);
  });
});
