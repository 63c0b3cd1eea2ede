import { describe, expect, it } from 'vitest';
import { capabilitiesOf, parseServerVersion } from './server-version.js';
import { addColumn, lowCardinality, ttlClause } from './migrations/types.js';

describe('server capabilities', () => {
  it('reads versions as the server prints them', () => {
    expect(parseServerVersion('18.16.1')).toEqual({ major: 18, minor: 16, text: '18.16.1' });
    expect(parseServerVersion('25.8.2.29')).toMatchObject({ major: 25, minor: 8 });
    expect(() => parseServerVersion('banana')).toThrow(/cannot read ClickHouse version/);
  });

  it('switches TTL, LowCardinality and ADD COLUMN IF NOT EXISTS on for newer servers only', () => {
    const old = capabilitiesOf(parseServerVersion('18.16.1'));
    const current = capabilitiesOf(parseServerVersion('25.8.1'));
    expect(old).toMatchObject({
      ttl: false,
      lowCardinality: false,
      addColumnIfNotExists: false,
      queryParameters: false,
    });
    expect(current).toMatchObject({
      ttl: true,
      lowCardinality: true,
      addColumnIfNotExists: true,
      queryParameters: true,
    });

    const ctx = (caps: typeof old) => ({
      db: '`d`',
      database: 'd',
      caps,
      retentionDays: 30,
      cluster: null,
    });
    expect(lowCardinality(ctx(old), 'String')).toBe('String');
    expect(lowCardinality(ctx(current), 'String')).toBe('LowCardinality(String)');
    expect(ttlClause(ctx(old), 'toDate(t)')).toBe('');
    expect(ttlClause(ctx(current), 'toDate(t)')).toBe('TTL toDate(t) + INTERVAL 30 DAY');
    expect(addColumn(ctx(old), 'c String')).toBe('ADD COLUMN c String');
    expect(addColumn(ctx(current), 'c String')).toBe('ADD COLUMN IF NOT EXISTS c String');
  });
});
