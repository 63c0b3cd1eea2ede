import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { FIELD_NAMES } from '../src/scan-countable.js';
import { V1_FIELDS } from '../src/v1-fields.js';
import {
  OPTIONAL_FIELDS,
  REQUIRED_FIELDS,
  parseReason,
  wireEvent,
  wireEventWithout,
} from './fixtures.js';

// The validator and the scanner spell the v1 fields out for speed; V1_FIELDS is the list they
// must cover exactly. A field added to the table fails here until both handle it.

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
});
