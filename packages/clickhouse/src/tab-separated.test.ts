import { describe, expect, it, vi } from 'vitest';
import type { ClickHouseClient } from './client.js';
import { insertTabSeparated, tabSeparatedPieces, tabSeparatedString } from './tab-separated.js';

describe('tabSeparatedString', () => {
  it('leaves ordinary text alone and escapes what would break a row or a field', () => {
    expect(tabSeparatedString('key_live_1 \' " OR 1=1')).toBe('key_live_1 \' " OR 1=1');
    expect(tabSeparatedString('a\tb\nc\rd\\e\0f\bg\fh')).toBe('a\\tb\\nc\\rd\\\\e\\0f\\bg\\fh');
  });

  it('escapes a backslash before anything that follows it', () => {
    expect(tabSeparatedString('\\N')).toBe('\\\\N');
    expect(tabSeparatedString('\\t')).toBe('\\\\t');
  });

  it('replaces lone surrogates, which UTF-8 cannot carry', () => {
    expect(tabSeparatedString('a\uD800b')).toBe('a\uFFFDb');
  });
});

describe('tabSeparatedPieces', () => {
  /** The whole body, as ClickHouse receives it. */
  const body = <Row extends Record<C, string | number>, C extends string>(
    rows: readonly Row[],
    columns: readonly C[],
  ) => Buffer.concat(tabSeparatedPieces(rows, columns)).toString();

  it('writes the columns in the order given, one line per row', () => {
    const rows = [
      { a: 1, b: 'x\ty', c: 'z' },
      { a: 2, b: '', c: 'w' },
    ];
    expect(body(rows, ['c', 'a', 'b'])).toBe('z\t1\tx\\ty\nw\t2\t\n');
  });

  it('refuses numbers ClickHouse would not read back', () => {
    expect(() => body([{ a: Number.NaN }], ['a'])).toThrow(/finite/);
  });

  const rows = Array.from({ length: 7 }, (_, n) => ({ n, s: `row\t${n}` }));

  it('cuts the body into pieces of whole rows', () => {
    const pieces = tabSeparatedPieces(rows, ['s', 'n'], 3).map((piece) => piece.toString());
    expect(pieces).toHaveLength(3);
    expect(pieces.join('')).toBe(body(rows, ['s', 'n']));
    for (const piece of pieces) expect(piece).toMatch(/^(row\\t\d\t\d\n)+$/);
  });

  it('is no piece for no rows', () => {
    expect(tabSeparatedPieces([], ['a'])).toEqual([]);
  });
});

describe('insertTabSeparated', () => {
  it('refuses a number it cannot write before sending anything', async () => {
    const insert = vi.fn();
    const client = { insert } as unknown as ClickHouseClient;
    // In the fifth piece: the first four are encoded already.
    const rows = Array.from({ length: 5_000 }, (_, n) => ({ n: n === 4_999 ? Infinity : n }));
    await expect(insertTabSeparated(client, 't', rows, ['n'])).rejects.toThrow(/finite/);
    expect(insert).not.toHaveBeenCalled();
  });
});
