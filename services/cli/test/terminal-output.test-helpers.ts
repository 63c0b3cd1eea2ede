import { expect } from 'vitest';

// The SGR sequences the CLI itself writes (colours); anything else starting with ESC came from data.
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const OWN_SGR = /\u001b\[(?:0|1|2|31|32|33|35|36)m/g;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const BIDI_OR_SEPARATOR = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/;

/** One printed line: after the CLI's own colours are removed, no control character is left. */
export function expectInertLine(printed: string, about: string): void {
  const text = printed.replace(OWN_SGR, '');
  expect(text, about).not.toMatch(CONTROL);
  expect(text, about).not.toMatch(/[\r\n]/);
  expect(text, about).not.toMatch(BIDI_OR_SEPARATOR);
  expect(text.isWellFormed(), about).toBe(true);
}
