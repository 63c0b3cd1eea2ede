import { describe, expect, it } from 'vitest';
import {
  IN_LIST_MAX_BYTES,
  IN_LIST_MAX_VALUES,
  inList,
  inListChunks,
  queryByChunks,
} from './sql.js';

const long = (i: number) => `key_${'x'.repeat(250)}_${i}`;

describe('IN lists stay under max_query_size', () => {
  it('splits by count and by bytes, keeping every value once and in order', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => long(i));
    const chunks = inListChunks(values);
    expect(chunks.flat()).toEqual(values);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(IN_LIST_MAX_VALUES);
      expect(Buffer.byteLength(inList(chunk))).toBeLessThanOrEqual(IN_LIST_MAX_BYTES);
    }
    const short = Array.from({ length: 2_500 }, (_, i) => `k${i}`);
    expect(inListChunks(short).map((c) => c.length)).toEqual([1_000, 1_000, 500]);
  });

  it('counts bytes, not characters, and escapes', () => {
    const wide = Array.from({ length: 900 }, (_, i) => `${'é'.repeat(40)}'${i}`);
    for (const chunk of inListChunks(wide)) {
      expect(Buffer.byteLength(inList(chunk))).toBeLessThanOrEqual(IN_LIST_MAX_BYTES);
    }
  });

  it('refuses one list over the byte limit, naming the way out', () => {
    const values = Array.from({ length: 1_000 }, (_, i) => long(i));
    expect(() => inList(values)).toThrow(/queryByChunks/);
  });

  it('runs one query per chunk and no query for no values', async () => {
    const seen: number[] = [];
    const rows = await queryByChunks(
      Array.from({ length: 2_001 }, (_, i) => `k${i}`),
      (chunk) => {
        seen.push(chunk.length);
        return Promise.resolve(chunk.map((key) => ({ key })));
      },
    );
    expect(seen).toEqual([1_000, 1_000, 1]);
    expect(rows).toHaveLength(2_001);
    expect(await queryByChunks([], () => Promise.reject(new Error('no query expected')))).toEqual(
      [],
    );
  });
});
