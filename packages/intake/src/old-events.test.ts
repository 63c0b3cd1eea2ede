import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS } from '@denyscope/events';
import { describe, expect, it } from 'vitest';
import { EventIntake, reasonKindOf } from './event-intake.js';
import { PendingBatch } from './pending-batch.js';

// Issue 11: old timestamps made a batch span more than 100 daily partitions (code 252 on current
// ClickHouse, retried forever). Live ingest dead-letters what retention would drop anyway; and a
// client_ip that is not an address is stored as null and counted.

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7, 6, 30, 0);
/** With RETENTION_DAYS=90, the oldest day kept: the UTC day of NOW - 90 days. */
const OLDEST_KEPT = Date.UTC(2026, 8, 8);

function intake(retentionDays: number | undefined): EventIntake {
  const taker = new EventIntake({
    maxMessageBytes: EVENT_LIMITS.maxMessageBytes,
    environments: DEFAULT_ENVIRONMENTS,
    envMarkers: undefined,
    retentionDays,
  });
  taker.setClock(NOW);
  return taker;
}

function message(ts: number, overrides: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      ts,
      request_id: `r_${ts}`,
      env: 'production',
      method: 'GET',
      path: '/v1/invoices/inv_000042',
      status: 200,
      key_id: 'key_1',
      account_id: 'acct_1',
      ...overrides,
    }),
  );
}

const DENIAL = { status: 403, error: 'ownership_denied', resource_owner: null };

function takeAll(taker: EventIntake, messages: Buffer[]): PendingBatch {
  const batch = new PendingBatch(100);
  const progress = batch.progressOf('t', 0);
  messages.forEach((value, i) => taker.take(batch, progress, value, null, String(i), null));
  return batch;
}

describe('events older than retention', () => {
  it('are dead-lettered, on the fast path and the full one, with the reason and its kind', () => {
    const batch = takeAll(intake(90), [
      message(OLDEST_KEPT - 1),
      message(OLDEST_KEPT - 1, DENIAL),
      message(NOW - 400 * DAY, { note: 'café' }),
      message(OLDEST_KEPT),
      message(OLDEST_KEPT, DENIAL),
      message(NOW),
    ]);
    expect(batch.deadLetters.map((letter) => letter.offset)).toEqual(['0', '1', '2']);
    expect(batch.deadLetters[0]?.reason).toBe(
      'older than retention: ts 2026-09-07T23:59:59.999Z is before 2026-09-08, the oldest day kept (RETENTION_DAYS=90)',
    );
    expect(batch.deadLetters.every((letter) => letter.reasonKind === 'retention')).toBe(true);
    expect(batch.denials).toHaveLength(1);
    expect(batch.totalsRows().reduce((sum, row) => sum + row.requests, 0)).toBe(3);
    // Dead letters still move the partition's offset on.
    expect(batch.commitOffsets()).toEqual([{ topic: 't', partition: 0, offset: '6' }]);
  });

  it('follow the clock: the cut-off moves with setClock', () => {
    const taker = intake(90);
    taker.setClock(NOW + DAY);
    const batch = takeAll(taker, [message(OLDEST_KEPT), message(OLDEST_KEPT + DAY)]);
    expect(batch.deadLetters.map((letter) => letter.offset)).toEqual(['0']);
  });

  it('are all kept without a retention (replay stores every age)', () => {
    const batch = takeAll(intake(undefined), [
      message(Date.UTC(2000, 0, 1)),
      message(NOW - 400 * DAY, DENIAL),
    ]);
    expect(batch.deadLetters).toEqual([]);
    expect(batch.denials).toHaveLength(1);
  });

  it('reasonKindOf tells the retention reason apart from schema problems', () => {
    expect(reasonKindOf('older than retention: ts …')).toBe('retention');
    expect(reasonKindOf('ts: 1999-12-31 is before 2000-01-01')).toBe('schema');
  });
});

describe('a client_ip that is not an IP address', () => {
  it('is stored as null and counted; the event is kept', () => {
    const batch = takeAll(intake(90), [
      message(NOW, { ...DENIAL, client_ip: 'unknown' }),
      message(NOW, { client_ip: '203.0.113.7, 10.0.0.1' }),
      message(NOW, { ...DENIAL, client_ip: '203.0.113.7' }),
      message(NOW, { client_ip: '2001:db8::1' }),
      message(NOW, { client_ip: null }),
    ]);
    expect(batch.deadLetters).toEqual([]);
    expect(batch.invalidClientIps).toBe(2);
    expect(batch.denials.map((row) => [row.client_ip, row.client_net])).toEqual([
      ['', ''],
      ['203.0.113.7', '203.0.113.0/24'],
    ]);
  });
});
