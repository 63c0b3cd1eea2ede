import { sqlValues } from '@denyscope/clickhouse';
import { describe, expect, it } from 'vitest';
import type { EvaluationContext } from './finding.js';
import {
  IN_LIST_MAX_BYTES,
  IN_LIST_MAX_VALUES,
  inList,
  inListChunks,
  queryByChunks,
  routeFilter,
  select,
} from './sql.js';

const LITERALS = sqlValues({ queryParameters: false });

const long = (i: number) => `key_${'x'.repeat(250)}_${i}`;

describe('IN lists stay under max_query_size', () => {
  it('splits by count and by bytes, keeping every value once and in order', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => long(i));
    const chunks = inListChunks(values);
    expect(chunks.flat()).toEqual(values);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(IN_LIST_MAX_VALUES);
      expect(Buffer.byteLength(inList(LITERALS, chunk))).toBeLessThanOrEqual(IN_LIST_MAX_BYTES);
    }
    const short = Array.from({ length: 2_500 }, (_, i) => `k${i}`);
    expect(inListChunks(short).map((c) => c.length)).toEqual([1_000, 1_000, 500]);
  });

  it('counts bytes, not characters, and escapes', () => {
    const wide = Array.from({ length: 900 }, (_, i) => `${'é'.repeat(40)}'${i}`);
    for (const chunk of inListChunks(wide)) {
      expect(Buffer.byteLength(inList(LITERALS, chunk))).toBeLessThanOrEqual(IN_LIST_MAX_BYTES);
    }
  });

  it('refuses one list over the byte limit, naming the way out', () => {
    const values = Array.from({ length: 1_000 }, (_, i) => long(i));
    expect(() => inList(LITERALS, values)).toThrow(/queryByChunks/);
    // The same bound as a query parameter: it travels in the request URL.
    expect(() => inList(sqlValues({ queryParameters: true }), values)).toThrow(/queryByChunks/);
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

describe('untrusted values in rule SQL', () => {
  const routes = { include: ["/v1/a'"], exclude: ['/v1/b'] };

  it('are quoted literals on 18.16 and query parameters where the server has them', () => {
    expect(routeFilter(sqlValues({ queryParameters: false }), routes)).toBe(
      "route IN ('/v1/a\\'') AND route NOT IN ('/v1/b')",
    );
    const v = sqlValues({ queryParameters: true });
    expect(routeFilter(v, routes)).toBe(
      'route IN {v0:Array(String)} AND route NOT IN {v1:Array(String)}',
    );
    expect(v.params).toEqual({ v0: ["/v1/a'"], v1: ['/v1/b'] });
    expect(routeFilter(v, { include: [], exclude: [] })).toBe('1');
  });

  it('reach the query runner with the SQL, by the context capabilities', async () => {
    const sent: [string, unknown][] = [];
    const ctx = (queryParameters?: boolean): EvaluationContext => ({
      watermark: new Date(0),
      ...(queryParameters === undefined ? {} : { capabilities: { queryParameters } }),
      query: <T>(sql: string, params?: unknown) => {
        sent.push([sql, params]);
        return Promise.resolve([] as T[]);
      },
    });
    const build = (v: ReturnType<typeof sqlValues>) => `SELECT 1 WHERE k IN ${inList(v, ['a'])}`;
    await select(ctx(true), build);
    await select(ctx(false), build);
    await select(ctx(), build);
    expect(sent).toEqual([
      ['SELECT 1 WHERE k IN {v0:Array(String)}', { v0: ['a'] }],
      ["SELECT 1 WHERE k IN ('a')", {}],
      // No capabilities (tests, older callers): literals, which every server reads.
      ["SELECT 1 WHERE k IN ('a')", {}],
    ]);
  });
});
