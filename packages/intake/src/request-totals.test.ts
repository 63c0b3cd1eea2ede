import { describe, expect, it } from 'vitest';
import { PartitionTotals } from './request-totals.js';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 5);

describe('PartitionTotals', () => {
  it('counts requests and denials per minute, env, status class, key and account', () => {
    const totals = new PartitionTotals();
    totals.add('10', T0, 'production', 'k1', 'a1', 200, false);
    totals.add('11', T0 + 1_000, 'production', 'k1', 'a1', 204, false);
    totals.add('12', T0 + 2_000, 'production', 'k1', 'a1', 403, true);
    totals.add('13', T0 + 60_000, 'production', 'k1', 'a1', 200, false);
    totals.add('14', T0, 'staging', 'k1', 'a1', 200, false);
    totals.endOffset = '14';
    const rows = totals.rows('topic', 3);
    const minute = Math.floor(T0 / 60_000) * 60;
    expect(rows).toHaveLength(4);
    expect(rows).toContainEqual({
      minute,
      env: 'production',
      key_id: 'k1',
      account_id: 'a1',
      status_class: 2,
      requests: 2,
      denials: 0,
      topic: 'topic',
      partition: 3,
      start_offset: '10',
      end_offset: '14',
    });
    expect(rows).toContainEqual(
      expect.objectContaining({ minute, status_class: 4, requests: 1, denials: 1 }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ minute: minute + 60, requests: 1 }));
    expect(rows).toContainEqual(expect.objectContaining({ env: 'staging', requests: 1 }));
  });

  it('cannot be fooled into merging two key/account pairs by a crafted key', () => {
    const totals = new PartitionTotals();
    totals.add('1', T0, 'production', 'ab', 'c', 200, false);
    totals.add('2', T0, 'production', 'a', 'bc', 200, false);
    totals.add('3', T0, 'production', 'a|1|b', 'c', 200, false);
    totals.endOffset = '3';
    expect(totals.rows('t', 0)).toHaveLength(3);
  });

  it('has no rows before anything was counted', () => {
    const totals = new PartitionTotals();
    totals.endOffset = '5';
    expect(totals.rows('t', 0)).toEqual([]);
  });
});
