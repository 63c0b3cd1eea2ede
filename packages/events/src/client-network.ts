import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a client address belongs to, as a CIDR with the network address: `/24` for IPv4,
 * `/64` for IPv6 (the smallest block a provider hands one customer, so the usual unit an attacker
 * rotates addresses within). A scan spread over the addresses of one network is judged as one
 * subject (rule `distributed-enumeration`). An IPv4-mapped IPv6 address (`::ffff:192.0.2.7`) is
 * its IPv4 network. Anything that is not an address gives `''`: it has no network.
 */
export function clientNetwork(address: string | null): string {
  if (address === null) return '';
  if (isIPv4(address)) return ipv4Network(address);
  if (!isIPv6(address)) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null && isIPv4(mapped[1]!)) return ipv4Network(mapped[1]!);
  return ipv6Network(address);
}

function ipv4Network(address: string): string {
  const [a, b, c] = address.split('.');
  return `${Number(a)}.${Number(b)}.${Number(c)}.0/24`;
}

/** The first four groups of the address (after expanding `::` and any zone), then `::/64`. */
function ipv6Network(address: string): string {
  const plain = address.split('%')[0]!.toLowerCase();
  const [head = '', tail] = plain.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (`::1.2.3.4`) counts as two groups; only the first four groups matter.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const missing = 8 - width(headGroups) - width(tailGroups);
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups];
  const prefix = groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  // RFC 5952 spelling, so one network has one subject: the last four groups are zero, and that
  // run (with any zero groups just before it) is the longest, so it is the one written as `::`.
  while (prefix.length > 0 && prefix.at(-1) === '0') prefix.pop();
  return `${prefix.join(':')}::/64`;
}
