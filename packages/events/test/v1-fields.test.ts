import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { createApiEventV1Schema } from '../src/api-event-schema.js';
import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS } from '../src/limits.js';
import { FIELD_NAMES, scanCountable } from '../src/scan-countable.js';
import { V1_FIELDS } from '../src/v1-fields.js';
import {
  NOW,
  OPTIONAL_FIELDS,
  REQUIRED_FIELDS,
  now,
  parseReason,
  wireEvent,
  wireEventWithout,
} from './fixtures.js';

// The validator spells the v1 fields out for speed; V1_FIELDS is the list it must cover exactly,
// and a field added to the table fails here until it handles it. The scanner's field table is
// built from V1_FIELDS; the tests below check that its rules follow the table. The zod schema
// is built from the table, so it follows by itself; the last tests check that it does.

const names = V1_FIELDS.map((field) => field.name);
const required = V1_FIELDS.filter((field) => field.required).map((field) => field.name);

describe('V1_FIELDS, the v1 field table', () => {
  it('is what the ingest scanner scans, in contract order', () => {
    expect(FIELD_NAMES).toEqual(names);
  });

  // The scanner's length and null rules come from the table: a countable event (a 200 on the
  // caller's own resource) with one field beyond the table's limit, or null where the table
  // allows none, is never scanned.
  const countable = (overrides: Record<string, unknown>) =>
    scanCountable(Buffer.from(JSON.stringify(ownSuccess(overrides))), {
      maxBytes: EVENT_LIMITS.maxMessageBytes,
      environments: DEFAULT_ENVIRONMENTS,
      nowMs: NOW,
    });

  const ownSuccess = (overrides: Record<string, unknown>) =>
    wireEvent({ status: 200, error: null, resource_owner: 'acct_000123', ...overrides });

  it('gives the scanner a countable event the limits accept (the control)', () => {
    expect(countable({})).toBeDefined();
  });

  it.each(V1_FIELDS.filter((field) => field.name !== 'ts' && field.maxChars !== undefined))(
    'bounds the scanner: $name beyond its maxChars is not scanned',
    (field) => {
      expect(countable({ [field.name]: 'x'.repeat((field.maxChars ?? 0) + 1) })).toBeUndefined();
    },
  );

  it.each(
    V1_FIELDS.filter(
      (field) => (field.json as readonly string[]).includes('string') && field.name !== 'ts',
    ),
  )('gives the scanner $name: null only where the table allows it', (field) => {
    const nullable = (field.json as readonly string[]).includes('null');
    expect(countable({ [field.name]: null }) !== undefined).toBe(nullable);
  });

  it('is what the hand-written validator reads, no field more', () => {
    const source = readFileSync(new URL('../src/validate-event.ts', import.meta.url), 'utf8');
    const read = [...new Set([...source.matchAll(/\bfields\.(\w+)/g)].map((m) => m[1]))];
    expect(read).toEqual(names);
  });

  it.each(names)('is checked by the validator: %s of the wrong type names the field', (name) => {
    expect(parseReason(wireEvent({ [name]: { nested: true } }))).toMatch(new RegExp(`^${name}: `));
  });

  it.each(required)('is required by the validator: %s', (name) => {
    expect(parseReason(wireEventWithout(name))).toBe(`missing required field: ${name}`);
  });

  it('is the fixtures’ field lists', () => {
    expect([...REQUIRED_FIELDS]).toEqual(required);
    expect([...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]).toEqual(names);
  });

  const schema = createApiEventV1Schema({ now });
  const accepts = (event: Record<string, unknown>) => schema.safeParse(event).success;

  it('is the zod schema’s shape: every field and no other', () => {
    const keys = Object.keys((schema as unknown as { shape: object }).shape);
    expect(keys).toEqual(names);
  });

  it.each(V1_FIELDS)(
    'gives the zod schema $name: absent, null and too long as the table says',
    (field) => {
      expect(accepts(wireEventWithout(field.name)), 'absent').toBe(!field.required);
      const nullable = (field.json as readonly string[]).includes('null') || !field.required;
      expect(accepts(wireEvent({ [field.name]: null })), 'null').toBe(nullable);
      if (field.maxChars !== undefined) {
        expect(
          accepts(wireEvent({ [field.name]: 'x'.repeat(field.maxChars + 1) })),
          'too long',
        ).toBe(false);
      }
      expect(accepts(wireEvent({ [field.name]: { nested: true } })), 'an object').toBe(false);
    },
  );
});
