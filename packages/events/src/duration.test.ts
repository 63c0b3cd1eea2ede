import { describe, expect, it } from 'vitest';
import {
  DURATION_MESSAGE,
  durationRangeMessage,
  durationSchema,
  formatDuration,
  parseDuration,
} from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['1ms', 1],
    ['90s', 90_000],
    ['5m', 300_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['0090s', 90_000],
    ['999999999ms', 999_999_999],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    '',
    '5',
    'm',
    '5 m',
    ' 5m',
    '5m ',
    '1.5h',
    '-1h',
    '+1h',
    '5M',
    '5min',
    '2 days',
    '1y',
    '1h30m',
    '1000000000ms',
    '５m',
  ])('refuses %j with the shared text', (text) => {
    expect(() => parseDuration(text)).toThrow(DURATION_MESSAGE);
  });

  it('refuses zero, and values out of the caller range with a message naming it', () => {
    expect(() => parseDuration('0s')).toThrow('expected a duration more than zero');
    expect(() => parseDuration('31d', { maxMs: 30 * 86_400_000, maxText: '30d' })).toThrow(
      'expected a duration more than zero and at most 30d',
    );
    expect(parseDuration('30d', { maxMs: 30 * 86_400_000, maxText: '30d' })).toBe(2_592_000_000);
    const minute = { minMs: 60_000, minText: '1m', maxMs: 86_400_000, maxText: '24h' };
    expect(() => parseDuration('59s', minute)).toThrow('expected a duration from 1m to 24h');
    expect(durationRangeMessage({ minMs: 60_000, minText: '1m' })).toBe(
      'expected a duration of at least 1m',
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1_500, '1500ms'],
    [90_000, '90s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
    [5_400_000, '90m'],
    [7 * 86_400_000, '7d'],
  ])('%d ms is %s, which parses back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    if (ms > 0) expect(parseDuration(text)).toBe(ms);
  });

  it('names unset bounds in the grammar; a minimum of 0 is a range from 0ms', () => {
    expect(durationRangeMessage({ minMs: 500, maxMs: 3_600_000 })).toBe(
      'expected a duration from 500ms to 1h',
    );
    expect(durationRangeMessage({ minMs: 0, maxMs: 60_000 })).toBe(
      'expected a duration from 0ms to 1m',
    );
    expect(durationRangeMessage({ maxMs: 2_592_000_000 })).toBe(
      'expected a duration more than zero and at most 30d',
    );
  });
});

describe('durationSchema', () => {
  it('turns text into milliseconds and reports the same messages', () => {
    const schema = durationSchema({ maxMs: 3_600_000, maxText: '1h' });
    expect(schema.parse('250ms')).toBe(250);
    const message = (input: unknown) => schema.safeParse(input).error?.issues[0]?.message;
    expect(message('soon')).toBe(DURATION_MESSAGE);
    expect(message(5)).toBe(DURATION_MESSAGE);
    expect(message('2h')).toBe('expected a duration more than zero and at most 1h');
    expect(message('0ms')).toBe('expected a duration more than zero and at most 1h');
  });
});
