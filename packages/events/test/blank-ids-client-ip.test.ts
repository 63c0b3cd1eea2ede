import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';

import {
  DEFAULT_ENVIRONMENTS,
  EVENT_LIMITS,
  createApiEventV1Schema,
  scanCountable,
} from '../src/index.js';
import { NOW, now, parse, parseOk, parseReason, wireEvent } from './fixtures.js';

// Issue 11: a blank account_id stopped every scheduled report of the period, and any string was
// a client_ip (each distinct one a subject of its own). Blank IDs are dead-lettered; a client_ip
// that is not an address becomes null, flagged so that ingest counts it.

const schema = createApiEventV1Schema({ now });
const SCAN = {
  maxBytes: EVENT_LIMITS.maxMessageBytes,
  environments: DEFAULT_ENVIRONMENTS,
  nowMs: NOW,
};

/** A countable event (a 200 on the caller's own resource), as bytes. */
const countable = (overrides: Record<string, unknown>): Buffer =>
  Buffer.from(
    JSON.stringify(
      wireEvent({ status: 200, error: null, resource_owner: 'acct_000123', ...overrides }),
    ),
  );

describe('blank key and account IDs', () => {
  it.each(['key_id', 'account_id'])('dead-letters an empty or blank %s', (field) => {
    for (const blank of ['', ' ', '   ', '\t', ' \n', '\u00a0']) {
      expect(parseReason(wireEvent({ [field]: blank }))).toMatch(
        new RegExp(`^${field}: expected a non-blank string or null, got (empty|blank) string`),
      );
      expect(schema.safeParse(wireEvent({ [field]: blank })).success).toBe(false);
      // The fast path must leave them to parseEvent, which dead-letters them.
      expect(scanCountable(countable({ [field]: blank }), SCAN)).toBeUndefined();
    }
  });

  it('keeps null and IDs with inner or surrounding spaces', () => {
    expect(parseOk(wireEvent({ key_id: null, account_id: null }))).toMatchObject({
      keyId: null,
      accountId: null,
    });
    expect(parseOk(wireEvent({ account_id: ' acct 1 ' })).accountId).toBe(' acct 1 ');
    expect(
      scanCountable(
        countable({ key_id: ' k ', account_id: ' acct 1 ', resource_owner: null }),
        SCAN,
      ),
    ).toMatchObject({ keyId: ' k ', accountId: ' acct 1 ' });
  });
});

/** What parseEvent made of an event's client_ip: kept, dropped and flagged, or rejected. */
function clientIpOutcome(fields: Record<string, unknown>) {
  const result = parse(fields);
  if (!result.ok) return { rejected: result.reason };
  return { clientIp: result.event.clientIp, flagged: result.invalidClientIp === true };
}

describe('client_ip', () => {
  const valid = [
    '203.0.113.7',
    '0.0.0.0',
    '255.255.255.255',
    '2001:db8::1',
    '::1',
    '::ffff:192.0.2.7',
    'fe80::1%eth0',
  ];
  const invalid = [
    'unknown',
    '203.0.113.7, 10.0.0.1',
    '203.0.113.256',
    '01.2.3.4',
    '1.2.3',
    '1.2.3.4.5',
    '203.0.113.7:443',
    '[2001:db8::1]',
    '2001:db8::g',
    '<script>',
    '1'.repeat(64),
  ];

  it.each(valid)('keeps the address %s, with no flag', (ip) => {
    expect(clientIpOutcome(wireEvent({ client_ip: ip }))).toEqual({ clientIp: ip, flagged: false });
    expect(scanCountable(countable({ client_ip: ip }), SCAN)).toBeDefined();
  });

  it.each(invalid)('stores %j as null and flags it, without dead-lettering', (ip) => {
    expect(isIP(ip)).toBe(0);
    expect(clientIpOutcome(wireEvent({ client_ip: ip }))).toEqual({
      clientIp: null,
      flagged: true,
    });
    expect(schema.safeParse(wireEvent({ client_ip: ip })).success).toBe(true);
    // The scanner gives no event, so parseEvent runs and ingest counts the flag.
    expect(scanCountable(countable({ client_ip: ip }), SCAN)).toBeUndefined();
  });

  it('trims surrounding whitespace off an address', () => {
    expect(clientIpOutcome(wireEvent({ client_ip: ' 203.0.113.7\t' }))).toEqual({
      clientIp: '203.0.113.7',
      flagged: false,
    });
    expect(clientIpOutcome(wireEvent({ client_ip: ' ::1 ' }))).toEqual({
      clientIp: '::1',
      flagged: false,
    });
  });

  it('treats null, absent and blank as no address, not as invalid', () => {
    for (const client_ip of [null, undefined, '', '  ']) {
      expect(clientIpOutcome(wireEvent({ client_ip }))).toEqual({ clientIp: null, flagged: false });
    }
    expect(scanCountable(countable({ client_ip: '' }), SCAN)).toBeDefined();
    expect(scanCountable(countable({ client_ip: null }), SCAN)).toBeDefined();
  });

  it('still dead-letters a client_ip of the wrong type or over the limit (the contract)', () => {
    expect(parseReason(wireEvent({ client_ip: 17 }))).toMatch(/^client_ip: expected string/);
    expect(parseReason(wireEvent({ client_ip: '1'.repeat(65) }))).toMatch(/^client_ip: expected/);
  });
});
