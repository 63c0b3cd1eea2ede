import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { createApiEventV1Schema } from '../src/api-event-schema.js';
import { FIELD_NAMES } from '../src/scan-countable.js';
import { V1_FIELDS } from '../src/v1-fields.js';
import {
  OPTIONAL_FIELDS,
  REQUIRED_FIELDS,
  now,
  parseReason,
  wireEvent,
  wireEventWithout,
} from './fixtures.js';

// The validator and the scanner spell the v1 fields out for speed; V1_FIELDS is the list they
// must cover exactly. A field added to the table fails here until both handle it. The zod schema
// is built from the table, so it follows by itself; the last tests check that it does.

const names = V1_FIELDS.map((field) => field.name);
const required = V1_FIELDS.filter((field) => field.required).map((field) => field.name);

describe('V1_FIELDS, the v1 field table', () => {
  it('is what the ingest scanner scans, in contract order, the required ones first', () => {
    expect(FIELD_NAMES).toEqual(names);
    // scan-countable.ts takes the first eight as required (REQUIRED_FIELDS = 0xff).
    expect(names.slice(0, 8)).toEqual(required);
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
