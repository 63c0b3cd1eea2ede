import { describe, expect, it } from 'vitest';
import { IN_LIST_MAX_BYTES } from '../sql.js';
import { networkChunks } from './distributed-enumeration.js';

// 500 networks × 10 keys of production-length IDs: one (network, key) list of them all was
// about 265 KB, past max_query_size, and distributed-enumeration failed on it for good (found by
// tests/chaos/address-flood.chaos.test.ts).
const key = (k: number) => `key_live_${String(k).padStart(20, 'x')}`;
const networks: [string, string[]][] = Array.from({ length: 500 }, (_, n) => [
  `10.${100 + Math.floor(n / 250)}.${n % 250}.0/24`,
  Array.from({ length: 10 }, (_, k) => key(k)),
]);
const pairBytes = ([network, keys]: [string, string[]]) =>
  keys.reduce((sum, k) => sum + Buffer.byteLength(`('${network}', '${k}')`) + 2, 0);

describe('distributed-enumeration: (network, key) pairs in chunks', () => {
  it('keeps each chunk within IN_LIST_MAX_BYTES and every network whole, once', () => {
    const chunks = networkChunks(networks);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.reduce((sum, n) => sum + pairBytes(n), 0)).toBeLessThanOrEqual(
        IN_LIST_MAX_BYTES,
      );
    }
    expect(chunks.flat()).toEqual(networks);
  });

  it('gives a network past the budget a chunk of its own', () => {
    const big: [string, string[]] = [
      '10.9.9.0/24',
      Array.from({ length: 2_000 }, (_, k) => key(k)),
    ];
    const chunks = networkChunks([networks[0]!, big, networks[1]!]);
    expect(chunks).toEqual([[networks[0]], [big], [networks[1]]]);
  });
});
