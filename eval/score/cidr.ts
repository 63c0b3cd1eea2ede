/**
 * IP addresses and CIDR networks as prefixes, so that an alert about `203.0.113.0/24` (or an
 * IPv6 `/64`) can be matched with a label that names one address inside it, and the other way
 * round. A bare address is a full-length prefix (/32, /128). IPv4-mapped IPv6 (`::ffff:a.b.c.d`)
 * is read as the IPv4 address it carries: gateways write both forms for the same client.
 */
export interface Prefix {
  family: 4 | 6;
  /** The address as an integer (32 or 128 bits). */
  value: bigint;
  /** Prefix length in bits. */
  length: number;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseGroups(text: string): number[] | null {
  if (text === '') return [];
  const groups: number[] = [];
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    groups.push(parseInt(g, 16));
  }
  return groups;
}

/** IPv6 with `::` compression and an optional dotted IPv4 tail; zone indexes are dropped. */
function parseIpv6(raw: string): bigint | null {
  let text = raw.split('%')[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // `::ffff:192.0.2.1`: the dotted tail is the last two groups.
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === null || rest === null) return null;
  const explicit = head.length + rest.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const groups = [...head, ...Array<number>(8 - explicit).fill(0), ...rest];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

const MAPPED_V4 = 0xffffn << 32n;

/** `10.1.2.3`, `10.1.2.0/24`, `2001:db8::1`, `2001:db8:1:2::/64`; null if it is none of them. */
export function parsePrefix(text: string): Prefix | null {
  const slash = text.indexOf('/');
  const address = (slash < 0 ? text : text.slice(0, slash)).trim();
  const lengthText = slash < 0 ? null : text.slice(slash + 1).trim();
  if (lengthText !== null && !/^\d{1,3}$/.test(lengthText)) return null;
  if (!address.includes(':')) {
    const value = parseIpv4(address);
    const length = lengthText === null ? 32 : Number(lengthText);
    return value === null || length > 32 ? null : { family: 4, value, length };
  }
  const value = parseIpv6(address);
  const length = lengthText === null ? 128 : Number(lengthText);
  if (value === null || length > 128) return null;
  if (value >> 32n === MAPPED_V4 >> 32n && length >= 96) {
    return { family: 4, value: value & 0xffffffffn, length: length - 96 };
  }
  return { family: 6, value, length };
}

/** Whether two prefixes share an address: one equals or contains the other. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const bits = a.family === 4 ? 32 : 128;
  const shift = BigInt(bits - Math.min(a.length, b.length));
  return a.value >> shift === b.value >> shift;
}

/**
 * Whether an alert's `client_ip` (address or network) and a label's address or network name
 * overlapping address ranges. Text that is no address at all matches only itself.
 */
export function sameClients(alertIp: string, labelIp: string): boolean {
  const a = parsePrefix(alertIp);
  const b = parsePrefix(labelIp);
  if (a === null || b === null) return alertIp === labelIp;
  return overlaps(a, b);
}
