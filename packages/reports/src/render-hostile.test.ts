import { describe, expect, it } from 'vitest';
import { HOSTILE_CORPUS } from '@denyscope/alerts';
import { fixtureReport } from './fixtures.test-helpers.js';
import { renderReport } from './render.js';

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const BIDI_OR_SEPARATOR = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/;

/** A report whose every customer-controlled string is `hostile`. */
function hostileReport(hostile: string) {
  const report = fixtureReport(hostile);
  report.account_id = hostile;
  const [key] = report.keys;
  if (key !== undefined) key.key_id = hostile;
  const [pattern] = report.top_patterns;
  if (pattern !== undefined) pattern.pattern = hostile;
  return report;
}

describe('reports with hostile input (issue 11 item 6)', () => {
  it('html: no tag, attribute break-out, control character, bidi override or lone surrogate from data', () => {
    for (const hostile of HOSTILE_CORPUS) {
      const { body } = renderReport(hostileReport(hostile), 'html');
      const about = JSON.stringify(hostile);
      expect(body, about).not.toMatch(/<script|<img/);
      expect(body, about).not.toMatch(CONTROL);
      expect(body, about).not.toMatch(BIDI_OR_SEPARATOR);
      expect(body.isWellFormed(), about).toBe(true);
    }
  });

  it('md: table rows keep their cells; no link, image, tag, heading, quote or control character from data', () => {
    for (const hostile of HOSTILE_CORPUS) {
      const { body } = renderReport(hostileReport(hostile), 'md');
      const about = JSON.stringify(hostile);
      expect(body, about).not.toMatch(/<script|<img|\]\(|!\[/);
      expect(body, about).not.toMatch(CONTROL);
      expect(body, about).not.toMatch(BIDI_OR_SEPARATOR);
      expect(body.isWellFormed(), about).toBe(true);
      // No data line starts a heading or a quote: the only headings are the report's own.
      const headings = body.split('\n').filter((line) => /^\s*(#|>)/.test(line));
      expect(
        headings.every((line) => /^#{1,3} [A-Z]/.test(line)),
        about,
      ).toBe(true);
      // Every keys-table row has 9 cells: no pipe from data split one.
      const header = body.split('\n').findIndex((line) => line.startsWith('| Key |'));
      for (const line of body.split('\n').slice(header + 2)) {
        if (!line.startsWith('|')) break;
        expect(line.split(/(?<!\\)\|/).length, about).toBe(11);
      }
    }
  });
});
