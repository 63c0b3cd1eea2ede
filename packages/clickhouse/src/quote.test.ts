import { describe, expect, it } from 'vitest';
import { quoteIdentifier, quoteString, quoteUInt } from './quote.js';

describe('quoteString', () => {
  it('wraps in single quotes and escapes what ClickHouse would interpret', () => {
    expect(quoteString('abc')).toBe("'abc'");
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('back\\slash')).toBe("'back\\\\slash'");
    expect(quoteString('a\0b\nc\td\re')).toBe("'a\\0b\\nc\\td\\re'");
    expect(quoteString('')).toBe("''");
  });

  it('leaves no unescaped quote that could end the literal', () => {
    for (const hostile of [
      "' OR 1=1 --",
      "\\' OR 1=1 --",
      "\\\\'; DROP TABLE x; --",
      "'''",
      '\\',
    ]) {
      const quoted = quoteString(hostile).slice(1, -1);
      // Every quote inside must be preceded by an odd number of backslashes.
      for (let i = 0; i < quoted.length; i += 1) {
        if (quoted[i] !== "'") continue;
        let slashes = 0;
        for (let j = i - 1; j >= 0 && quoted[j] === '\\'; j -= 1) slashes += 1;
        expect(slashes % 2, hostile).toBe(1);
      }
    }
  });

  it('replaces lone surrogates, which cannot be encoded as UTF-8', () => {
    expect(quoteString('a\uD800b')).toBe("'a\uFFFDb'");
  });
});

describe('quoteIdentifier', () => {
  it('backquotes plain identifiers', () => {
    expect(quoteIdentifier('denials')).toBe('`denials`');
    expect(quoteIdentifier('test_db_01')).toBe('`test_db_01`');
  });

  it('refuses anything else', () => {
    for (const bad of ['', '1abc', 'a-b', 'a`b', 'db; DROP', 'a b', 'x'.repeat(200), 'é']) {
      expect(() => quoteIdentifier(bad), bad).toThrow(TypeError);
    }
  });
});

describe('quoteUInt', () => {
  it('accepts non-negative safe integers only', () => {
    expect(quoteUInt(0)).toBe('0');
    expect(quoteUInt(42)).toBe('42');
    for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, Infinity]) {
      expect(() => quoteUInt(bad), String(bad)).toThrow(TypeError);
    }
  });
});
