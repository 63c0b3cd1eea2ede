import { describe, expect, it } from 'vitest';
import { configProblems, loadConfig } from '../index.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  const problems = configProblems(env);
  if (problems.length === 0) throw new Error('expected the configuration to be rejected');
  return problems;
}

const ADMIN = 'admin-token-0123456789';
const ACCT = 'acct-token-0123456789';

describe('api section', () => {
  it('defaults to 127.0.0.1:8080 and no tokens', () => {
    expect(loadConfig({}).api).toEqual({
      host: '127.0.0.1',
      port: 8080,
      adminTokens: [],
      accountTokens: [],
    });
  });

  it('parses admin and account token lists', () => {
    const api = loadConfig({
      API_ADMIN_TOKENS: ` ${ADMIN} , ${ADMIN}x,`,
      API_ACCOUNT_TOKENS: `acct_1:${ACCT},acct_2:${ACCT}:with:colons`,
    }).api;
    expect(api.adminTokens).toEqual([ADMIN, `${ADMIN}x`]);
    expect(api.accountTokens).toEqual([
      { accountId: 'acct_1', token: ACCT },
      { accountId: 'acct_2', token: `${ACCT}:with:colons` },
    ]);
  });

  it('rejects short tokens and bad entries without echoing any token', () => {
    const secret = 'short-secret';
    const problems = problemsOf({
      API_ADMIN_TOKENS: `${ADMIN},${secret}`,
      API_ACCOUNT_TOKENS: `acct_1:${secret},${ACCT},bad id:${ACCT}`,
    });
    const text = problems.join('\n');
    expect(text).toMatch(/API_ADMIN_TOKENS: entry 2: expected a token of at least 16/);
    expect(text).toMatch(/API_ACCOUNT_TOKENS: entry 1: expected a token of at least 16/);
    expect(text).toMatch(/API_ACCOUNT_TOKENS: entry 2: expected <account_id>:<token>/);
    expect(text).toMatch(/API_ACCOUNT_TOKENS: entry 3: expected <account_id>:<token>/);
    for (const value of [secret, ADMIN, ACCT]) expect(text).not.toContain(value);
  });
});
