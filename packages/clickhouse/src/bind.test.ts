import { describe, expect, it } from 'vitest';
import { TupleParam } from '@clickhouse/client';
import { sqlValues } from './bind.js';

describe('sqlValues', () => {
  it('writes quoted literals where the server has no query parameters (18.16)', () => {
    const v = sqlValues({ queryParameters: false });
    expect(v.string("it's")).toBe("'it\\'s'");
    expect(v.strings(['a', "b'"])).toBe("('a', 'b\\'')");
    expect(v.pairs([['n', "k'"]])).toBe("(('n', 'k\\''))");
    expect(v.params).toEqual({});
  });

  it('keeps values out of the SQL where it has them', () => {
    const v = sqlValues({ queryParameters: true });
    const sql = `x = ${v.string("it's")} AND k IN ${v.strings(['a', 'b'])} AND y = ${v.string('\ud800')}`;
    expect(sql).toBe('x = {v0:String} AND k IN {v1:Array(String)} AND y = {v2:String}');
    expect(v.params).toEqual({ v0: "it's", v1: ['a', 'b'], v2: '\ufffd' });
  });

  it('sends pairs as one Array(Tuple(String, String)) parameter', () => {
    const v = sqlValues({ queryParameters: true });
    expect(
      v.pairs([
        ['n', "k'"],
        ['m', 'j'],
      ]),
    ).toBe('{v0:Array(Tuple(String, String))}');
    expect(v.params.v0).toEqual([new TupleParam(['n', "k'"]), new TupleParam(['m', 'j'])]);
  });

  it('refuses an empty IN list on both paths', () => {
    expect(() => sqlValues({ queryParameters: false }).strings([])).toThrow(RangeError);
    expect(() => sqlValues({ queryParameters: true }).strings([])).toThrow(RangeError);
    expect(() => sqlValues({ queryParameters: true }).pairs([])).toThrow(RangeError);
  });
});
