import { describe, expect, it } from 'vitest';

import { apiEventV1Schema, createApiEventV1Schema } from '../src/index.js';
import type { ApiEventV1 } from '../src/index.js';
import {
  NOW,
  OPTIONAL_FIELDS,
  REQUIRED_FIELDS,
  now,
  parse,
  seededRandom,
  wireEvent,
  wireEventWithout,
} from './fixtures.js';

const schema = createApiEventV1Schema({ now });

function agree(fixture: Record<string, unknown>): void {
  const hand = parse(fixture);
  const zod = schema.safeParse(fixture);
  const label = `${JSON.stringify(fixture).slice(0, 300)}\nhand: ${hand.ok ? 'ok' : hand.reason}\nzod: ${zod.success ? 'ok' : zod.error.message.slice(0, 300)}`;
  expect(hand.ok, label).toBe(zod.success);
}

// Values around every boundary the contract draws, for every field.
const VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  99,
  100,
  403,
  403.5,
  599,
  600,
  1e-9,
  946_684_799_999,
  946_684_800_000,
  NOW,
  NOW + 86_400_000,
  NOW + 86_400_001,
  1_714_564_800,
  '',
  ' ',
  '\t',
  'x',
  '203.0.113.7',
  '2001:db8::1',
  '203.0.113.256',
  'GET',
  'production',
  'staging',
  'qa',
  'Production',
  '2024-05-01T12:00:00Z',
  '2024-05-01T12:00:00.123456+05:30',
  '2024-05-01T12:00:00',
  '2024-05-01t12:00:00z',
  '2024-02-30T00:00:00Z',
  '1999-12-31T23:59:59Z',
  '2099-01-01T00:00:00Z',
  '2025-06-02T00:00:00Z',
  '2025-06-02T00:00:00.001Z',
  'M'.repeat(16),
  'M'.repeat(17),
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(256),
  'a'.repeat(257),
  'a'.repeat(1024),
  'a'.repeat(1025),
  'a'.repeat(8193),
  [],
  ['GET'],
  {},
  { __proto__: null, status: 403 },
];

describe('the zod schema and the hand-written validator agree', () => {
  it('on the reference event', () => {
    agree(wireEvent());
    expect(schema.safeParse(wireEvent()).success).toBe(true);
  });

  it.each([...REQUIRED_FIELDS, ...OPTIONAL_FIELDS])('on an event without %s', (field) => {
    agree(wireEventWithout(field));
  });

  it.each([...REQUIRED_FIELDS, ...OPTIONAL_FIELDS])('on every boundary value of %s', (field) => {
    for (const value of VALUES) agree(wireEvent({ [field]: value }));
  });

  it('on random combinations of boundary values', () => {
    const random = seededRandom(2024);
    const fields = [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const fixture = wireEvent();
      const changes = 1 + Math.floor(random() * 3);
      for (let c = 0; c < changes; c++) {
        const field = fields[Math.floor(random() * fields.length)] ?? 'ts';
        if (random() < 0.15) delete fixture[field];
        else fixture[field] = VALUES[Math.floor(random() * VALUES.length)];
      }
      agree(fixture);
      if (parse(fixture).ok) accepted++;
    }
    // Both outcomes must be well represented for the comparison to mean anything.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(2900);
  });

  it('on the normalized timestamp of accepted events', () => {
    for (const ts of ['2024-05-01T12:00:00.123456+05:30', '2025-05-31T23:59:58Z', NOW + 0.5]) {
      const result = parse(wireEvent({ ts }));
      expect(result.ok && result.event.ts).toBe(
        typeof ts === 'number' ? Math.floor(ts) : Date.parse(ts),
      );
    }
  });

  it('with configured environments', () => {
    const environments = ['prod', 'qa'];
    const custom = createApiEventV1Schema({ environments, now });
    for (const env of ['prod', 'qa', 'production', '']) {
      const fixture = wireEvent({ env, resource_env: 'qa' });
      expect(parse(fixture, { environments }).ok).toBe(custom.safeParse(fixture).success);
    }
  });
});

describe('apiEventV1Schema', () => {
  it('uses the real clock and the default environments', () => {
    const event: ApiEventV1 = {
      ts: new Date().toISOString(),
      request_id: 'r1',
      env: 'sandbox',
      method: 'GET',
      path: '/v1/x',
      status: 200,
      key_id: null,
      account_id: null,
    };
    expect(apiEventV1Schema.safeParse(event).success).toBe(true);
    expect(apiEventV1Schema.safeParse({ ...event, ts: Date.now() + 2 * 86_400_000 }).success).toBe(
      false,
    );
  });

  it('does not pass unknown fields through', () => {
    const result = apiEventV1Schema.safeParse({ ...wireEvent({ ts: Date.now() }), extra: 1 });
    expect(result.success && 'extra' in result.data).toBe(false);
  });
});
