import { describe, expect, it } from 'vitest';
import { overlaps, parsePrefix, sameClients } from './cidr.js';

describe('parsePrefix', () => {
  it('reads IPv4 addresses and networks', () => {
    expect(parsePrefix('203.0.113.7')).toEqual({ family: 4, value: 0xcb007107n, length: 32 });
    expect(parsePrefix('203.0.113.0/24')).toEqual({ family: 4, value: 0xcb007100n, length: 24 });
    expect(parsePrefix('0.0.0.0/0')).toEqual({ family: 4, value: 0n, length: 0 });
  });

  it('reads IPv6 with and without :: compression, and zone indexes', () => {
    const full = parsePrefix('2001:0db8:0000:0000:0000:0000:0000:0001');
    expect(full).toEqual({ family: 6, value: (0x20010db8n << 96n) | 1n, length: 128 });
    expect(parsePrefix('2001:db8::1')).toEqual(full);
    expect(parsePrefix('2001:db8::1%eth0')).toEqual(full);
    expect(parsePrefix('2001:db8:1:2::/64')).toEqual({
      family: 6,
      value: (0x20010db8n << 96n) | (1n << 80n) | (2n << 64n),
      length: 64,
    });
    expect(parsePrefix('::')).toEqual({ family: 6, value: 0n, length: 128 });
  });

  it('reads IPv4-mapped IPv6 as the IPv4 address it carries', () => {
    expect(parsePrefix('::ffff:203.0.113.7')).toEqual({
      family: 4,
      value: 0xcb007107n,
      length: 32,
    });
    expect(parsePrefix('::ffff:cb00:7100/120')).toEqual({
      family: 4,
      value: 0xcb007100n,
      length: 24,
    });
  });

  it.each([
    '',
    'not-an-ip',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4/33',
    '1.2.3.4/x',
    '2001:db8::1::2',
    '2001:db8:1:2:3:4:5:6:7',
    '2001:db8::/129',
    'gggg::1',
  ])('rejects %j', (text) => {
    expect(parsePrefix(text)).toBeNull();
  });
});

describe('overlaps and sameClients', () => {
  it('matches an address inside an IPv4 /24, both ways round', () => {
    expect(sameClients('203.0.113.0/24', '203.0.113.200')).toBe(true);
    expect(sameClients('203.0.113.200', '203.0.113.0/24')).toBe(true);
    expect(sameClients('203.0.113.0/24', '203.0.113.0/24')).toBe(true);
  });

  it('does not match neighbouring networks or other addresses', () => {
    expect(sameClients('203.0.113.0/24', '203.0.114.1')).toBe(false);
    expect(sameClients('203.0.112.0/24', '203.0.113.0/24')).toBe(false);
    expect(sameClients('203.0.113.7', '203.0.113.8')).toBe(false);
  });

  it('matches an address inside an IPv6 /64, written in any form', () => {
    expect(sameClients('2001:db8:1:2::/64', '2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(true);
    expect(sameClients('2001:db8:1:2::/64', '2001:0db8:0001:0002::ff')).toBe(true);
    expect(sameClients('2001:db8:1:2::/64', '2001:db8:1:3::1')).toBe(false);
  });

  it('never matches across families, except through the IPv4-mapped form', () => {
    const v4 = parsePrefix('10.0.0.0/8');
    const v6 = parsePrefix('::/0');
    expect(v4 !== null && v6 !== null && overlaps(v4, v6)).toBe(false);
    expect(sameClients('::ffff:10.1.2.3', '10.0.0.0/8')).toBe(true);
  });

  it('compares text that is no address only with itself', () => {
    expect(sameClients('unknown', 'unknown')).toBe(true);
    expect(sameClients('unknown', '10.0.0.1')).toBe(false);
  });
});
