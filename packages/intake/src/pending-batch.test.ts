import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS } from '@denyscope/events';
import { describe, expect, it } from 'vitest';
import { EventIntake } from './event-intake.js';
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
    busy.watermarkEventTs = 1_764_300_000_999;
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

  describe('an event stamped far ahead of wall time (issue 11, finding 1)', () => {
    const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
    const MINUTE = 60_000;
    const message = (ts: number, id: string) =>
      Buffer.from(
        JSON.stringify({
          ts,
          request_id: id,
          env: 'production',
          method: 'GET',
          path: '/v1/invoices/inv_000042',
          status: 200,
          key_id: 'key_1',
          account_id: 'acct_1',
        }),
      );
    /** Two ordinary events and one stamped 23 h ahead, as in the issue. */
    function take(futureToleranceMs: number | undefined): PendingBatch {
      const intake = new EventIntake({
        maxMessageBytes: EVENT_LIMITS.maxMessageBytes,
        environments: DEFAULT_ENVIRONMENTS,
        envMarkers: undefined,
        futureToleranceMs,
      });
      intake.setClock(NOW);
      const batch = new PendingBatch(100);
      const progress = batch.progressOf('t', 0);
      intake.take(batch, progress, message(NOW - MINUTE, 'a'), null, '1', null);
      intake.take(batch, progress, message(NOW + 23 * 60 * MINUTE, 'b'), null, '2', null);
      intake.take(batch, progress, message(NOW - 2 * MINUTE, 'c'), null, '3', null);
      intake.take(batch, progress, message(NOW + 4 * MINUTE, 'd'), null, '4', null);
      return batch;
    }

    it('live: is stored and counted but does not advance the watermark row; partition_clock reports it', () => {
      const batch = take(5 * MINUTE);
      // Within the tolerance (4 min ahead) still counts: clocks of gateways differ a little.
      expect(batch.watermarkRows()).toEqual([
        { topic: 't', partition: 0, max_event_time: (NOW + 4 * MINUTE) / 1000, lag: 0 },
      ]);
      expect(batch.clockRows()).toEqual([
        {
          topic: 't',
          partition: 0,
          max_event_time: (NOW + 23 * 60 * MINUTE) / 1000,
          ahead_events: 1,
        },
      ]);
      const counted = batch.totalsRows().reduce((sum, row) => sum + row.requests, 0);
      expect(counted).toBe(4);
    });

    it('replay (no tolerance): pure event time, nothing reported', () => {
      const batch = take(undefined);
      expect(batch.watermarkRows()[0]?.max_event_time).toBe((NOW + 23 * 60 * MINUTE) / 1000);
      expect(batch.clockRows()).toEqual([]);
    });

    it('a batch of only such events writes no watermark row at all', () => {
      const intake = new EventIntake({
        maxMessageBytes: EVENT_LIMITS.maxMessageBytes,
        environments: DEFAULT_ENVIRONMENTS,
        envMarkers: undefined,
        futureToleranceMs: 5 * MINUTE,
      });
      intake.setClock(NOW);
      const batch = new PendingBatch(100);
      intake.take(
        batch,
        batch.progressOf('t', 0),
        message(NOW + 60 * MINUTE, 'x'),
        null,
        '1',
        null,
      );
      expect(batch.watermarkRows()).toEqual([]);
      expect(batch.clockRows()).toHaveLength(1);
    });
  });
});
