import { createIdClassifier, parseEvent } from '@denyscope/events';
import { describe, expect, it } from 'vitest';
import { denialRow, isForeignAccess } from './rows.js';

const classifier = createIdClassifier();

function eventOf(fields: Record<string, unknown>) {
  const parsed = parseEvent(
    JSON.stringify({
      ts: '2026-11-27T10:00:05.250Z',
      request_id: 'r1',
      env: 'production',
      method: 'GET',
      path: '/v1/invoices/inv_004512',
      route: '/v1/invoices/{invoice_id}',
      status: 403,
      key_id: 'key_1',
      account_id: 'acct_1',
      error: 'ownership_denied',
      ...fields,
    }),
  );
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

describe('denialRow', () => {
  it('classifies the resource ID and keeps the fields', () => {
    const row = denialRow(eventOf({ resource_owner: 'acct_2', client_ip: '10.0.0.1' }), classifier);
    expect(row).toMatchObject({
      event_time: Math.floor(Date.UTC(2026, 10, 27, 10, 0, 5) / 1000),
      request_id: 'r1',
      resource_id: 'inv_004512',
      resource_pattern: 'inv_{int}',
      resource_num: 4512,
      has_num: 1,
      resource_owner: 'acct_2',
      owner_state: 2,
      resource_env: '',
      client_ip: '10.0.0.1',
      client_net: '10.0.0.0/24',
    });
  });

  it('gives the network of the client address, or nothing when it is not one', () => {
    expect(denialRow(eventOf({ client_ip: '2001:db8:1:2:3::7' }), classifier).client_net).toBe(
      '2001:db8:1:2::/64',
    );
    expect(denialRow(eventOf({ client_ip: 'unknown' }), classifier).client_net).toBe('');
    expect(denialRow(eventOf({}), classifier).client_net).toBe('');
  });

  it('keeps the three owner states apart', () => {
    expect(denialRow(eventOf({}), classifier).owner_state).toBe(0);
    expect(denialRow(eventOf({ resource_owner: null }), classifier).owner_state).toBe(1);
    expect(denialRow(eventOf({ resource_owner: 'acct_9' }), classifier).owner_state).toBe(2);
  });

  it('takes the environment of the ID from resource_env, else from its marker', () => {
    const marked = eventOf({
      path: '/v1/subscriptions/sub_test_01HX3K9V7Q2M8N4P6R5T0W1Y2Z',
      route: '/v1/subscriptions/{id}',
    });
    expect(denialRow(marked, classifier)).toMatchObject({
      resource_pattern: 'sub_test_{ulid}',
      resource_env: 'staging',
      has_num: 0,
    });
    expect(denialRow(eventOf({ resource_env: 'sandbox' }), classifier).resource_env).toBe(
      'sandbox',
    );
  });

  it('stores nulls as empty strings', () => {
    const row = denialRow(
      eventOf({ key_id: null, account_id: null, path: '/v1/invoices' }),
      classifier,
    );
    expect(row).toMatchObject({
      key_id: '',
      account_id: '',
      resource_id: '',
      resource_pattern: '',
    });
  });
});

describe('isForeignAccess', () => {
  it("keeps non-denied responses on another account's resource, and nothing else", () => {
    expect(isForeignAccess(eventOf({ status: 200, error: null, resource_owner: 'acct_2' }))).toBe(
      true,
    );
    expect(isForeignAccess(eventOf({ status: 200, error: null, resource_owner: 'acct_1' }))).toBe(
      false,
    );
    expect(isForeignAccess(eventOf({ status: 200, error: null, resource_owner: null }))).toBe(
      false,
    );
    expect(isForeignAccess(eventOf({ status: 200, error: null }))).toBe(false);
    expect(isForeignAccess(eventOf({ resource_owner: 'acct_2' }))).toBe(false); // a denial
  });

  it('records the environment named by the key itself', () => {
    expect(denialRow(eventOf({ key_id: 'key_test_abc' }), classifier).key_env).toBe('staging');
    expect(denialRow(eventOf({ key_id: 'key_1' }), classifier).key_env).toBe('');
  });
});
