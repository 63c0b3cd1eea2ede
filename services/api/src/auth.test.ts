import { describe, expect, it } from 'vitest';
import { TokenRegistry } from './auth.js';
import { formatFromAccept } from './reports.js';

const ADMIN = 'admin-token-0123456789';
const ACCT = 'acct-token-0123456789';

describe('TokenRegistry', () => {
  const tokens = new TokenRegistry({
    adminTokens: [ADMIN],
    accountTokens: [{ accountId: 'acct_1', token: ACCT }],
  });

  it('resolves bearer tokens to admin and account principals', () => {
    expect(tokens.resolve(`Bearer ${ADMIN}`)).toEqual({ kind: 'admin', label: 'admin-1' });
    expect(tokens.resolve(`bearer ${ACCT}`)).toEqual({
      kind: 'account',
      label: 'account:acct_1',
      accountId: 'acct_1',
    });
  });

  it('rejects missing, malformed, prefixed and wrong tokens', () => {
    for (const header of [
      undefined,
      '',
      ADMIN,
      `Basic ${ADMIN}`,
      `Bearer ${ADMIN}x`,
      `Bearer ${ADMIN.slice(0, -1)}`,
      'Bearer ',
      `Bearer ${ADMIN} extra`,
    ]) {
      expect(tokens.resolve(header), String(header)).toBeUndefined();
    }
  });
});

describe('formatFromAccept', () => {
  it('picks html, json or markdown by q and order, json otherwise', () => {
    expect(formatFromAccept(undefined)).toBe('json');
    expect(formatFromAccept('*/*')).toBe('json');
    expect(formatFromAccept('text/html,application/xhtml+xml,*/*;q=0.8')).toBe('html');
    expect(formatFromAccept('text/markdown')).toBe('md');
    expect(formatFromAccept('text/html;q=0.5, text/markdown')).toBe('md');
    expect(formatFromAccept('text/html;q=0, application/json')).toBe('json');
    expect(formatFromAccept('image/png')).toBe('json');
  });
});
