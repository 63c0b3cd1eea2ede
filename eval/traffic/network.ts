/**
 * Client addresses. IPv4 comes from 100.64.0.0/10 (RFC 6598 shared address space) and IPv6 from
 * 2001:db8::/32 (RFC 3849 documentation prefix): plenty of distinct /24s and /64s, and no real
 * host is ever named. Every network is handed out once, so an attacker's /24 holds no customer
 * and a label's network means exactly its episode.
 */
import { type Random, int } from './random.js';

export interface Network {
  /** `100.77.12.0/24` or `2001:db8:1a2b:3c4d::/64`. */
  cidr: string;
  family: 4 | 6;
  /** A host address inside the network (`n` ≥ 1). */
  host(n: number): string;
  /** A random host address inside the network. */
  randomHost(random: Random): string;
}

function ipv4Network(a: number, b: number): Network {
  const prefix = `100.${a}.${b}`;
  return {
    cidr: `${prefix}.0/24`,
    family: 4,
    host: (n) => `${prefix}.${1 + ((n - 1) % 254)}`,
    randomHost: (random) => `${prefix}.${int(random, 1, 254)}`,
  };
}

function hex16(n: number): string {
  return n.toString(16);
}

function ipv6Network(a: number, b: number): Network {
  const prefix = `2001:db8:${hex16(a)}:${hex16(b)}`;
  const group = (random: Random) => hex16(int(random, 0, 0xffff));
  return {
    cidr: `${prefix}::/64`,
    family: 6,
    host: (n) => `${prefix}::${hex16(n)}`,
    // Privacy addresses (RFC 8981): the interface identifier is random, all four groups used.
    randomHost: (random) =>
      `${prefix}:${hex16(int(random, 1, 0xffff))}:${group(random)}:${group(random)}:${group(random)}`,
  };
}

/** Hands out distinct networks, each at most once. */
export class AddressSpace {
  private readonly used4 = new Set<number>();
  private readonly used6 = new Set<number>();

  constructor(private readonly random: Random) {}

  network4(): Network {
    for (;;) {
      const a = int(this.random, 64, 127);
      const b = int(this.random, 0, 255);
      const n = a * 256 + b;
      if (this.used4.has(n)) continue;
      this.used4.add(n);
      return ipv4Network(a, b);
    }
  }

  network6(): Network {
    for (;;) {
      const a = int(this.random, 1, 0xffff);
      const b = int(this.random, 0, 0xffff);
      const n = a * 65_536 + b;
      if (this.used6.has(n)) continue;
      this.used6.add(n);
      return ipv6Network(a, b);
    }
  }
}
