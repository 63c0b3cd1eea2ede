import { describe, expect, it } from 'vitest';
import { completedPeriod } from './period.js';
import { accountDirName } from './report-files.js';

describe('completedPeriod', () => {
  it('daily: the previous UTC day', () => {
    const { since, until } = completedPeriod('daily', new Date('2026-03-04T00:05:00Z'));
    expect([since.toISOString(), until.toISOString()]).toEqual([
      '2026-03-03T00:00:00.000Z',
      '2026-03-04T00:00:00.000Z',
    ]);
  });

  it('weekly: Monday to Monday before now', () => {
    // 2026-03-04 is a Wednesday.
    const { since, until } = completedPeriod('weekly', new Date('2026-03-04T10:00:00Z'));
    expect([since.toISOString(), until.toISOString()]).toEqual([
      '2026-02-23T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
    ]);
  });
});

describe('accountDirName', () => {
  it('keeps plain IDs and makes anything else safe and distinct', () => {
    expect(accountDirName('acct_123')).toBe('acct_123');
    const a = accountDirName('../etc/passwd');
    const b = accountDirName('.._etc_passwd');
    expect(a).toMatch(/^[A-Za-z0-9._~-]+$/);
    expect(a.startsWith('.')).toBe(false);
    expect(a).not.toBe(b);
    expect(accountDirName('..')).not.toMatch(/^\.+$/);
  });
});
