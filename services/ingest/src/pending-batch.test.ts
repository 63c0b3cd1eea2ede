import { describe, expect, it } from 'vitest';
import { PendingBatch, remainingLag } from './pending-batch.js';

describe('PendingBatch', () => {
  it('commits the offset after the last message taken, per partition', () => {
    const batch = new PendingBatch(100);
    batch.progressOf('t', 0).lastOffset = '41';
    batch.progressOf('t', 1).lastOffset = '9007199254740993';
    expect(batch.commitOffsets()).toEqual([
      { topic: 't', partition: 0, offset: '42' },
      { topic: 't', partition: 1, offset: '9007199254740994' },
    ]);
  });

  it('commits nothing for a partition whose batch stopped before its first message', () => {
    const batch = new PendingBatch(100);
    batch.progressOf('t', 0).lastOffset = '41';
    batch.progressOf('t', 1); // progress created, nothing taken (stopping, rebalancing)
    expect(batch.commitOffsets()).toEqual([{ topic: 't', partition: 0, offset: '42' }]);
  });

  it('gives every totals row of a partition the range it covers', () => {
    const batch = new PendingBatch(100);
    const progress = batch.progressOf('t', 2);
    progress.totals.add('100', 0, 'production', 'k', 'a', 200, false);
    progress.totals.add('101', 0, 'production', 'k', 'a', 403, true);
    progress.lastOffset = '103'; // the last two were dead-lettered: still part of the range
    const rows = batch.totalsRows();
    expect(rows.every((row) => row.start_offset === '100' && row.end_offset === '103')).toBe(true);
    expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(2);
  });

  it('writes, per partition with valid events, its newest event time and the lag after it', () => {
    const batch = new PendingBatch(100);
    const busy = batch.progressOf('t', 0);
    busy.maxEventTs = 1_764_300_000_999;
    busy.lag = 1_500;
    batch.progressOf('t', 1).lastOffset = '7'; // only dead letters: no event time to report
    expect(batch.watermarkRows()).toEqual([
      { topic: 't', partition: 0, max_event_time: 1_764_300_000, lag: 1_500 },
    ]);
  });

  it('counts the lag after a batch, never below 0 (kafkajs can report -5)', () => {
    expect(remainingLag('1500', 0)).toBe(1_500);
    expect(remainingLag('1500', 20)).toBe(1_520);
    expect(remainingLag('0', 0)).toBe(0);
    expect(remainingLag('-5', 0)).toBe(0);
    expect(remainingLag('-5', 3)).toBe(3);
    expect(remainingLag('not a number', 0)).toBe(0);
  });
});
