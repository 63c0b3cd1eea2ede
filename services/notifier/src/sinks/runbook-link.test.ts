import { describe, expect, it } from 'vitest';
import { runbookUrl } from './runbook-link.js';

const BASE = 'https://runbooks.example/denyscope/';

describe('runbookUrl', () => {
  it("links the contract's relative runbook path under the base URL", () => {
    expect(runbookUrl('docs/runbooks/id-enumeration.md', BASE)).toBe(
      'https://runbooks.example/denyscope/docs/runbooks/id-enumeration.md',
    );
    expect(runbookUrl('docs/runbooks/cross-tenant.md', BASE.slice(0, -1))).toBe(
      'https://runbooks.example/denyscope/docs/runbooks/cross-tenant.md',
    );
    expect(runbookUrl('docs/runbooks/id-enumeration.md', undefined)).toBeUndefined();
  });

  it('accepts an absolute http(s) URL only when it is under the base URL', () => {
    expect(runbookUrl(`${BASE}docs/runbooks/cross-tenant.md`, BASE)).toBe(
      `${BASE}docs/runbooks/cross-tenant.md`,
    );
    expect(runbookUrl('https://runbooks.example/other/x.md', BASE)).toBeUndefined();
    expect(runbookUrl('https://runbooks.example.evil/denyscope/x.md', BASE)).toBeUndefined();
  });

  // The WHATWG URL parser strips leading and trailing spaces and C0 controls, and drops tabs and
  // newlines anywhere: " //evil.example/x" resolves to https://evil.example/x.
  it.each([
    ' //evil.example/x',
    '\t//evil.example/x',
    '\n//evil.example/x',
    '/\t/evil.example/x',
    ' https://evil.example/x',
    '\u0000https://evil.example/x',
    'https://evil.example/x',
    '//evil.example/x',
    '/docs/runbooks/id-enumeration.md',
    'docs/runbooks/../../../../evil.md',
    'docs/runbooks/id-enumeration.md?x=<!channel>',
    'docs\\runbooks\\id-enumeration.md',
    'javascript:alert(1)',
    'docs/runbooks/not-a-rule.md',
  ])('rejects %j', (runbook) => {
    expect(runbookUrl(runbook, BASE)).toBeUndefined();
  });

  it('parses after trimming: surrounding whitespace around the contract path is tolerated', () => {
    expect(runbookUrl('  docs/runbooks/id-enumeration.md\t', BASE)).toBe(
      `${BASE}docs/runbooks/id-enumeration.md`,
    );
  });
});
