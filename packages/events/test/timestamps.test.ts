import { describe, expect, it } from 'vitest';

import { MIN_EVENT_TS, parseRfc3339 } from '../src/index.js';
import { NOW, parseOk, parseReason, seededRandom, wireEvent } from './fixtures.js';

const NOON = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('ts as RFC 3339', () => {
  it.each([
    ['2024-05-01T12:00:00Z', NOON],
    ['2024-05-01T12:00:00.123Z', NOON + 123],
    ['2024-05-01T12:00:00.1Z', NOON + 100],
    ['2024-05-01T12:00:00.12Z', NOON + 120],
    ['2024-05-01T12:00:00.123456789Z', NOON + 123],
    ['2024-05-01T12:00:00.999999Z', NOON + 999],
    ['2024-05-01T14:00:00+02:00', NOON],
    ['2024-05-01T17:30:00+05:30', NOON],
    ['2024-05-01T07:15:00-04:45', NOON],
    ['2024-05-01T12:00:00+00:00', NOON],
    ['2024-05-01T12:00:00-00:00', NOON],
    ['2024-05-02T11:59:00+23:59', NOON],
    ['2024-05-01T00:00:00-12:00', NOON],
    ['2024-05-01T12:00:00.500+01:00', NOON - 3_600_000 + 500],
  ])('normalizes %s to epoch ms', (ts, expected) => {
    expect(parseOk(wireEvent({ ts })).ts).toBe(expected);
  });

  it('accepts leap days and the year boundary', () => {
    expect(parseOk(wireEvent({ ts: '2024-02-29T00:00:00Z' })).ts).toBe(Date.UTC(2024, 1, 29));
    expect(parseOk(wireEvent({ ts: '2000-02-29T00:00:00Z' })).ts).toBe(Date.UTC(2000, 1, 29));
    expect(parseOk(wireEvent({ ts: '2024-12-31T23:59:59.999Z' })).ts).toBe(
      Date.UTC(2025, 0, 1) - 1,
    );
  });

  it.each([
    '2024-05-01',
    '2024-05-01T12:00:00',
    '2024-05-01T12:00',
    '2024-05-01T12:00Z',
    '2024-05-01 12:00:00Z',
    '2024-05-01t12:00:00z',
    '2024-05-01T12:00:00z',
    '2024-05-01T12:00:00+0200',
    '2024-05-01T12:00:00+02',
    '2024-05-01T12:00:00+24:00',
    '2024-05-01T12:00:00+02:60',
    '2024-05-01T12:00:00.Z',
    '2024-05-01T12:00:00,5Z',
    '2024-05-01T12:00:60Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T12:60:00Z',
    '2024-13-01T12:00:00Z',
    '2024-00-01T12:00:00Z',
    '2024-05-00T12:00:00Z',
    '2024-04-31T12:00:00Z',
    '2023-02-29T12:00:00Z',
    '2024-5-1T12:00:00Z',
    '+02024-05-01T12:00:00Z',
    ' 2024-05-01T12:00:00Z',
    '2024-05-01T12:00:00Z ',
    '2024-05-01T12:00:00ZZ',
    '２０２４-05-01T12:00:00Z',
    'Wed, 01 May 2024 12:00:00 GMT',
    'May 1, 2024',
    '1714564800000',
    'now',
    '',
  ])('rejects %j', (ts) => {
    expect(parseReason(wireEvent({ ts }))).toBe(
      `ts: ${JSON.stringify(ts)} is not an RFC 3339 date-time with offset (e.g. 2024-05-01T12:00:00.000Z)`,
    );
  });

  it('bounds what it quotes from an over-long ts', () => {
    const ts = `2024-05-01T12:00:00.${'1'.repeat(100)}Z`;
    const reason = parseReason(wireEvent({ ts }));
    expect(reason).toMatch(/^ts: "2024-05-01T12:00:00\.1+…" is not an RFC 3339 date-time/);
    expect(reason.length).toBeLessThan(150);
  });

  it('agrees with Date.parse on generated timestamps', () => {
    const random = seededRandom(3339);
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    for (let i = 0; i < 2000; i++) {
      const year = 1 + Math.floor(random() * 9998);
      const month = 1 + Math.floor(random() * 12);
      const day = 1 + Math.floor(random() * 28);
      const fraction = random() < 0.5 ? '' : `.${String(Math.floor(random() * 1e6))}`;
      const zone =
        random() < 0.3
          ? 'Z'
          : `${random() < 0.5 ? '+' : '-'}${pad(Math.floor(random() * 24))}:${pad(Math.floor(random() * 60))}`;
      const ts = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(Math.floor(random() * 24))}:${pad(Math.floor(random() * 60))}:${pad(Math.floor(random() * 60))}${fraction}${zone}`;
      expect(parseRfc3339(ts), ts).toBe(Date.parse(ts));
    }
  });

  it('handles years before 100 without the Date.UTC two-digit-year quirk', () => {
    expect(parseRfc3339('0050-01-01T00:00:00Z')).toBe(Date.parse('0050-01-01T00:00:00Z'));
    expect(parseRfc3339('0000-01-01T00:00:00Z')).toBe(Date.parse('0000-01-01T00:00:00Z'));
  });

  it('returns NaN for anything else', () => {
    expect(parseRfc3339('2100-02-29T00:00:00Z')).toBeNaN();
    expect(parseRfc3339('garbage')).toBeNaN();
  });
});

describe('ts as epoch milliseconds', () => {
  it('keeps integer milliseconds', () => {
    expect(parseOk(wireEvent({ ts: NOON })).ts).toBe(NOON);
  });

  it('drops sub-millisecond fractions', () => {
    expect(parseOk(wireEvent({ ts: NOON + 0.9 })).ts).toBe(NOON);
  });

  it('accepts 2000-01-01T00:00:00Z exactly and rejects anything older', () => {
    expect(MIN_EVENT_TS).toBe(946_684_800_000);
    expect(parseOk(wireEvent({ ts: MIN_EVENT_TS })).ts).toBe(MIN_EVENT_TS);
    expect(parseReason(wireEvent({ ts: MIN_EVENT_TS - 1 }))).toBe(
      'ts: 946684799999 is before 2000-01-01',
    );
    expect(parseReason(wireEvent({ ts: '1999-12-31T23:59:59.999Z' }))).toBe(
      'ts: 1999-12-31T23:59:59.999Z is before 2000-01-01',
    );
  });

  it('hints at epoch seconds given for milliseconds', () => {
    expect(parseReason(wireEvent({ ts: 1_714_564_800 }))).toBe(
      'ts: 1714564800 is before 2000-01-01 (epoch seconds?)',
    );
  });

  it.each([0, -1, 1, 1e-9])('rejects %s as before 2000', (ts) => {
    expect(parseReason(wireEvent({ ts }))).toMatch(/^ts: .* is before 2000-01-01$/);
  });

  it('accepts up to one day ahead of the clock and rejects beyond', () => {
    const limit = NOW + 86_400_000;
    expect(parseOk(wireEvent({ ts: limit })).ts).toBe(limit);
    expect(parseReason(wireEvent({ ts: limit + 1 }))).toBe(
      'ts: 2025-06-02T00:00:00.001Z is more than 1 day in the future',
    );
    expect(parseReason(wireEvent({ ts: '2099-01-01T00:00:00Z' }))).toBe(
      'ts: 2099-01-01T00:00:00.000Z is more than 1 day in the future',
    );
  });

  it('reports absurdly large epoch values without tripping over Date', () => {
    expect(parseReason(wireEvent({ ts: 1e300 }))).toBe(
      'ts: 1e+300 is more than 1 day in the future',
    );
    expect(parseReason(wireEvent({ ts: -1e300 }))).toBe('ts: -1e+300 is before 2000-01-01');
  });

  it('applies the future bound to RFC 3339 after the offset', () => {
    // 2025-06-02T01:00:00+02:00 is 2025-06-01T23:00:00Z: within a day of NOW.
    expect(parseOk(wireEvent({ ts: '2025-06-02T01:00:00+02:00' })).ts).toBe(NOW + 23 * 3_600_000);
  });

  it('rejects non-finite numbers (JSON 1e400 parses to Infinity)', () => {
    const json = JSON.stringify(wireEvent()).replace(
      '"ts":"2025-05-31T23:59:58.123Z"',
      '"ts":1e400',
    );
    expect(parseReason(json)).toBe('ts: expected finite epoch milliseconds, got Infinity');
    const negative = json.replace('1e400', '-1e400');
    expect(parseReason(negative)).toBe('ts: expected finite epoch milliseconds, got -Infinity');
  });
});
