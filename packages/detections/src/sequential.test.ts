import { describe, expect, it } from 'vitest';
import { subjectKeyOf } from './finding.js';
import { looksSequential } from './sequential.js';

const settings = { minNumericIds: 20, maxGap: 2, minShare: 0.8 };

describe('looksSequential', () => {
  it('recognises a walk, also with a few skips and repeats', () => {
    const walk = Array.from({ length: 60 }, (_, i) => 4500 + i);
    expect(looksSequential(walk, settings)).toBe(true);
    expect(looksSequential([...walk, 4510, 4511, 9000, 12000], settings)).toBe(true);
  });

  it('does not call random guesses or too few IDs sequential', () => {
    const random = Array.from({ length: 60 }, (_, i) => (i * 7919 * 104729) % 1_000_000);
    expect(looksSequential(random, settings)).toBe(false);
    expect(looksSequential([1, 2, 3, 4, 5], settings)).toBe(false);
  });
});

describe('subjectKeyOf', () => {
  it('is canonical and unambiguous', () => {
    expect(subjectKeyOf({ key_id: 'k', account_id: 'a' })).toBe(
      subjectKeyOf({ account_id: 'a', key_id: 'k' }),
    );
    expect(subjectKeyOf({ key_id: 'a&b=c' })).toBe('key_id=a%26b%3Dc');
    expect(subjectKeyOf({ client_ip: '10.0.0.1' })).not.toBe(subjectKeyOf({ key_id: '10.0.0.1' }));
  });
});
