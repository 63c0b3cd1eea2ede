import type { CountableEvent } from '@denyscope/events';
import { describe, expect, it } from 'vitest';
import { actionOf, KeyResources } from './key-resources.js';

const MINUTE_MS = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function success(overrides: Partial<CountableEvent> = {}): CountableEvent {
  return {
    ts: T0 + 1_234,
    env: 'production',
    keyId: 'key_1',
    accountId: 'acct_1',
    status: 200,
    method: 'GET',
    resourceId: 'inv_000001',
    resourceOwner: undefined,
    ...overrides,
  };
}

function rowsOf(events: CountableEvent[], cap = 100) {
  const resources = new KeyResources(cap);
  for (const event of events) resources.addEvent(event);
  return { rows: resources.toRows(), size: resources.size, cappedReads: resources.cappedReads };
}

describe('actionOf', () => {
  it.each([
    ['GET', 0],
    ['get', 0],
    ['HEAD', 0],
    ['OPTIONS', 0],
    ['', 0],
    ['TRACE', 0],
    ['POST', 1],
    ['post', 1],
    ['Put', 1],
    ['pAtCh', 1],
    ['DELETE', 2],
    ['delete', 2],
    ['POSTS', 0],
    ['DELETED', 0],
    ['PUSH', 0],
    // Unicode case mapping would make these POST and PUT; HTTP methods are ASCII.
    ['poſt', 0],
    ['P\u0130T', 0],
  ])('%j is action %i', (method, action) => {
    expect(actionOf(method)).toBe(action);
  });
});

describe('KeyResources.addEvent', () => {
  it('records a 2xx on a resource of its own account, or of an owner not stated', () => {
    const { rows } = rowsOf([
      success({ resourceId: 'a' }),
      success({ resourceId: 'b', resourceOwner: 'acct_1' }),
      success({ resourceId: 'c', status: 201, method: 'POST' }),
      success({ resourceId: 'd', status: 204, method: 'DELETE' }),
      success({ resourceId: 'e', status: 299, method: 'PATCH' }),
    ]);
    expect(rows).toEqual([
      {
        minute: T0 / 1000,
        env: 'production',
        key_id: 'key_1',
        account_id: 'acct_1',
        resource_id: 'a',
        action: 0,
      },
      expect.objectContaining({ resource_id: 'b', action: 0 }),
      // Grouped by key, minute and action: reads, writes, deletes.
      expect.objectContaining({ resource_id: 'c', action: 1 }),
      expect.objectContaining({ resource_id: 'e', action: 1 }),
      expect.objectContaining({ resource_id: 'd', action: 2 }),
    ]);
  });

  it.each([
    ['a 1xx', success({ status: 199 })],
    ['a 3xx', success({ status: 300 })],
    ['a 404', success({ status: 404 })],
    ['a 403', success({ status: 403 })],
    ['no key', success({ keyId: null })],
    ['no account', success({ accountId: null })],
    ['no account, owner stated', success({ accountId: null, resourceOwner: 'acct_1' })],
    ['no resource ID', success({ resourceId: null })],
    ['a resource that does not exist (owner null)', success({ resourceOwner: null })],
    ["another account's resource", success({ resourceOwner: 'acct_2' })],
  ])('leaves out %s', (_name, event) => {
    expect(rowsOf([event]).rows).toEqual([]);
  });

  it('never reads resourceId or method of an event it leaves out', () => {
    const resources = new KeyResources(100);
    const event = {
      ...success({ status: 404 }),
      get resourceId(): string {
        throw new Error('read resourceId');
      },
      get method(): string {
        throw new Error('read method');
      },
    };
    expect(() => resources.addEvent(event)).not.toThrow();
  });
});

describe('KeyResources.add', () => {
  it('keeps one row per key, minute, resource ID and action: the first', () => {
    const { rows } = rowsOf([
      success(),
      success({ ts: T0 + 59_999, env: 'staging', accountId: 'acct_9' }),
      success({ method: 'PUT' }),
      success({ method: 'put' }),
      success({ ts: T0 + MINUTE_MS }),
      success({ keyId: 'key_2' }),
    ]);
    expect(rows.map((r) => [r.key_id, r.minute - T0 / 1000, r.action, r.env])).toEqual([
      ['key_1', 0, 0, 'production'],
      ['key_1', 0, 1, 'production'],
      ['key_1', 60, 0, 'production'],
      ['key_2', 0, 0, 'production'],
    ]);
  });

  it("keeps each row's own env and account, also when they differ within a key's minute", () => {
    const { rows, size } = rowsOf([
      success(),
      success({ resourceId: 'inv_2', env: 'staging', accountId: 'acct_9' }),
      success({ resourceId: 'inv_3' }),
      success({ resourceId: 'inv_2', method: 'DELETE', accountId: 'acct_8' }),
    ]);
    expect(rows.map((r) => [r.resource_id, r.action, r.env, r.account_id])).toEqual([
      ['inv_000001', 0, 'production', 'acct_1'],
      ['inv_2', 0, 'staging', 'acct_9'],
      ['inv_3', 0, 'production', 'acct_1'],
      ['inv_2', 2, 'production', 'acct_8'],
    ]);
    expect(size).toBe(4);
  });

  it('floors event time to the minute, in unix seconds', () => {
    const { rows } = rowsOf([
      success({ ts: T0 - 1, resourceId: 'x' }),
      success({ ts: T0, resourceId: 'y' }),
    ]);
    expect(rows.map((r) => r.minute)).toEqual([T0 / 1000 - 60, T0 / 1000]);
  });

  it('caps reads per key and minute, never writes or deletes', () => {
    const events: CountableEvent[] = [];
    for (let i = 0; i < 150; i++) {
      const resourceId = `inv_${i}`;
      events.push(success({ resourceId }));
      events.push(success({ resourceId, method: 'POST' }));
      events.push(success({ resourceId, method: 'DELETE' }));
      events.push(success({ resourceId, keyId: 'key_2' }));
      events.push(success({ resourceId, ts: T0 + MINUTE_MS }));
    }
    // Once at the cap, a read is not looked at, even of an ID already recorded.
    events.push(success({ resourceId: 'inv_0' }));
    const resources = rowsOf(events, 100);
    const count = (key: string, minute: number, action: number) =>
      resources.rows.filter(
        (r) => r.key_id === key && r.minute === (T0 + minute) / 1000 && r.action === action,
      ).length;
    expect(count('key_1', 0, 0)).toBe(100);
    expect(count('key_1', 0, 1)).toBe(150);
    expect(count('key_1', 0, 2)).toBe(150);
    expect(count('key_2', 0, 0)).toBe(100);
    expect(count('key_1', MINUTE_MS, 0)).toBe(100);
    expect(resources.cappedReads).toBe(151);
  });

  it('does not decode the resource ID of a read over the cap', () => {
    const resources = new KeyResources(1);
    resources.addEvent(success({ resourceId: 'first' }));
    resources.addEvent({
      ...success(),
      get resourceId(): string {
        throw new Error('read resourceId');
      },
    });
    expect(resources.toRows()).toHaveLength(1);
    expect(resources.size).toBe(1);
    expect(resources.cappedReads).toBe(1);
  });

  it('records no reads with a cap of 0', () => {
    const { rows } = rowsOf([success(), success({ method: 'DELETE' })], 0);
    expect(rows.map((r) => r.action)).toEqual([2]);
  });
});
