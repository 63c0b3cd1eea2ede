import { describe, expect, it } from 'vitest';
import { encodeTabSeparated, tabSeparatedString } from './tab-separated.js';

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

describe('encodeTabSeparated', () => {
  it('writes the columns in the order given, one line per row', () => {
    const rows = [
      { a: 1, b: 'x\ty', c: 'z' },
      { a: 2, b: '', c: 'w' },
    ];
    expect(encodeTabSeparated(rows, ['c', 'a', 'b'])).toBe('z\t1\tx\\ty\nw\t2\t\n');
  });

  it('refuses numbers ClickHouse would not read back', () => {
    expect(() => encodeTabSeparated([{ a: Number.NaN }], ['a'])).toThrow(/finite/);
  });

  it('is empty for no rows', () => {
    expect(encodeTabSeparated([], ['a'])).toBe('');
  });
});
