import { describe, expect, it } from 'vitest';
import { MAX_DAYS_PER_INSERT, chunkByDay } from './day-chunks.js';

const DAY_S = 86_400;
const at = (day: number, second = 0) => ({ t: day * DAY_S + second });
const seconds = (row: { t: number }) => row.t;
const daysOf = (rows: readonly { t: number }[]) =>
  new Set(rows.map((r) => Math.floor(r.t / DAY_S)));

describe('chunkByDay', () => {
  it('stays under the 100 partitions of current ClickHouse even in a server time zone', () => {
    expect(MAX_DAYS_PER_INSERT).toBeLessThanOrEqual(99);
  });

  it('hands back the rows as they are when they fit (live traffic)', () => {
    const rows = [at(20_000, 5), at(20_001), at(20_000, 7)];
    const chunks = chunkByDay(rows, seconds);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toBe(rows);
    expect(chunkByDay([], seconds)).toEqual([]);
  });

  it('splits 250 days into chunks of at most 90 days, oldest first, losing no row', () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => at(20_000 + ((i * 37) % 250), i));
    const chunks = chunkByDay(rows, seconds);
    expect(chunks.map((chunk) => daysOf(chunk).size)).toEqual([90, 90, 70]);
    const flat = chunks.flat();
    expect(flat).toHaveLength(rows.length);
    expect(new Set(flat)).toEqual(new Set(rows));
    const newest = chunks.map((chunk) => Math.max(...daysOf(chunk)));
    const oldest = chunks.map((chunk) => Math.min(...daysOf(chunk)));
    expect(oldest.slice(1).every((day, i) => day > (newest[i] ?? Infinity))).toBe(true);
  });

  it('cuts at exactly maxDays + 1 days', () => {
    const rows = Array.from({ length: 5 }, (_, i) => at(i));
    expect(chunkByDay(rows, seconds, 4).map((chunk) => chunk.length)).toEqual([4, 1]);
    expect(chunkByDay(rows.slice(0, 4), seconds, 4)).toHaveLength(1);
  });
});
