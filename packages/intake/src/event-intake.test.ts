import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS, scanCountable } from '@denyscope/events';
import { describe, expect, it } from 'vitest';
import { EventIntake } from './event-intake.js';
import { PendingBatch } from './pending-batch.js';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const OPTIONS = {
  maxMessageBytes: EVENT_LIMITS.maxMessageBytes,
  environments: DEFAULT_ENVIRONMENTS,
  envMarkers: undefined,
};

function intake(): EventIntake {
  const it = new EventIntake(OPTIONS);
  it.setClock(NOW);
  return it;
}

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts: NOW - 90_000,
    request_id: 'req_1',
    env: 'production',
    method: 'GET',
    path: '/v1/invoices/inv_000042',
    route: '/v1/invoices/{invoice_id}',
    status: 200,
    key_id: 'key_1',
    account_id: 'acct_1',
    resource_owner: 'acct_1',
    ...overrides,
  };
}

/** Takes each message into a fresh batch of partition t/0, offsets from 10 on. */
function takeAll(messages: (Buffer | null)[], skipThrough: bigint | null = null): PendingBatch {
  const batch = new PendingBatch(100);
  const progress = batch.progressOf('t', 0);
  const taker = intake();
  messages.forEach((value, i) =>
    taker.take(batch, progress, value, null, String(10 + i), skipThrough),
  );
  return batch;
}

const bytes = (value: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify(value));
/** The same event with an unknown non-ASCII field: the scanner bails, parseEvent takes it. */
const unusual = (value: Record<string, unknown>): Buffer => bytes({ ...value, note: 'café' });

describe('EventIntake.take', () => {
  it('sorts messages into denials, foreign access, key resources, tallies and dead letters', () => {
    const batch = takeAll([
      bytes(event()),
      bytes(
        event({ request_id: 'd', status: 403, error: 'ownership_denied', resource_owner: null }),
      ),
      bytes(event({ request_id: 'f', resource_owner: 'acct_2' })),
      bytes(event({ request_id: 'w', method: 'post', status: 201, resource_id: 'inv_new' })),
      Buffer.from('{"ts":'),
      null,
      bytes(event({ env: 'mars' })),
    ]);
    expect(batch.messages).toBe(7);
    expect(batch.denials.map((row) => row.request_id)).toEqual(['d']);
    expect(batch.foreignAccess.map((row) => row.request_id)).toEqual(['f']);
    expect(batch.keyResources.toRows()).toEqual([
      expect.objectContaining({ resource_id: 'inv_000042', action: 0, key_id: 'key_1' }),
      expect.objectContaining({ resource_id: 'inv_new', action: 1 }),
    ]);
    expect(batch.deadLetters.map((l) => [l.offset, l.reasonKind])).toEqual([
      ['14', 'json'],
      ['15', 'size'],
      ['16', 'schema'],
    ]);
    const totals = batch.totalsRows();
    expect(totals.map((row) => [row.status_class, row.requests, row.denials])).toEqual([
      [2, 3, 0],
      [4, 1, 1],
    ]);
    expect(totals.every((row) => row.start_offset === '10' && row.end_offset === '16')).toBe(true);
    const progress = batch.progressOf('t', 0);
    expect(progress.minEventTs).toBe(NOW - 90_000);
    expect(progress.maxEventTs).toBe(NOW - 90_000);
  });

  it('gives the same rows whether the lean scanner or the full parser takes an event', () => {
    const events = [
      event(),
      event({ route: undefined }),
      event({ route: null, path: '/v2/orders/ord_9/items' }),
      event({ resource_id: '', path: '/v1/files/doc_9f86d081884c.json' }),
      event({ resource_id: 'inv_given', method: 'DELETE', status: 204 }),
      event({ method: 'Patch', path: '/v1/invoices/%E2%82%AC7', resource_owner: undefined }),
      event({ resource_owner: null }),
      event({ key_id: null }),
      event({ account_id: null, resource_owner: null }),
      event({ path: '/v1/invoices', route: undefined }),
      event({ status: 404, error: 'not_found' }),
      event({ status: 403, error: 'forbidden' }),
      event({ ts: new Date(NOW - 3_600_000).toISOString().replace('Z', '+00:00') }),
    ];
    const plain = events.map(bytes);
    expect(
      plain.every(
        (b) =>
          scanCountable(b, { ...OPTIONS, maxBytes: OPTIONS.maxMessageBytes, nowMs: NOW }) !==
          undefined,
      ),
    ).toBe(true);
    const lean = takeAll(plain);
    const full = takeAll(events.map(unusual));
    expect(lean.keyResources.size).toBeGreaterThan(4);
    expect(full.keyResources.toRows()).toEqual(lean.keyResources.toRows());
    expect(full.totalsRows()).toEqual(lean.totalsRows());
    expect(full.deadLetters).toEqual([]);
  });

  it('does not count again what an earlier owner counted, but keeps its rows', () => {
    const batch = takeAll(
      [
        bytes(event()),
        bytes(event({ request_id: 'd', status: 403, error: 'ownership_denied' })),
        bytes(event({ resource_id: 'inv_later' })),
      ],
      11n,
    );
    expect(batch.totalsRows()).toEqual([
      expect.objectContaining({ requests: 1, start_offset: '12' }),
    ]);
    expect(batch.denials).toHaveLength(1);
    expect(batch.keyResources.toRows()).toHaveLength(2);
  });

  it('judges "not in the future" by the clock it was given', () => {
    const taker = new EventIntake(OPTIONS);
    taker.setClock(NOW - 2 * 86_400_000);
    const batch = new PendingBatch(100);
    taker.take(batch, batch.progressOf('t', 0), bytes(event()), null, '0', null);
    expect(batch.deadLetters[0]?.reason).toMatch(/in the future/);
  });
});
