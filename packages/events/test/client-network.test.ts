import { describe, expect, it } from 'vitest';
import { clientNetwork } from '../src/client-network.js';

describe('clientNetwork', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['203.0.113.0', '203.0.113.0/24'],
    ['10.1.2.3', '10.1.2.0/24'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8::/64'],
    ['2001:0:0:1::', '2001:0:0:1::/64'],
    ['::1', '::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['::ffff:192.0.2.7', '192.0.2.0/24'],
    ['64:ff9b::192.0.2.7', '64:ff9b::/64'],
  ])('%s is in %s', (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });

  it.each([null, '', 'unknown', '203.0.113', '999.1.1.1', '203.0.113.7, 10.0.0.1', '<!channel>'])(
    '%j has no network',
    (value) => {
      expect(clientNetwork(value)).toBe('');
    },
  );

  it('gives every address of one /64 the same spelling', () => {
    const spellings = [
      '2001:db8:aa:0:1::1',
      '2001:0db8:00aa:0000:ffff:ffff:ffff:ffff',
      '2001:db8:aa::9',
    ].map(clientNetwork);
    expect(new Set(spellings)).toEqual(new Set(['2001:db8:aa::/64']));
  });
});
