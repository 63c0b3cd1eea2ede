import { configRejections } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadWith } from '@denyscope/config';
import { apiSection } from './config.js';

const sections = { api: apiSection };
const loadConfig = (env: Record<string, string>) => loadWith(env, sections);

const problemsOf = (env: Record<string, string>) => configRejections(env, sections);

const ADMIN = 'admin-token-0123456789';
const ACCT = 'acct-token-0123456789';

describe('api section', () => {
  it('defaults to 127.0.0.1:8080 and no tokens', () => {
    expect(loadConfig({}).api).toEqual({
      host: '127.0.0.1',
      port: 8080,
      adminTokens: [],
      accountTokens: [],
      rateLimitPerMinute: 120,
      addressRateLimitPerMinute: 600,
      reportConcurrency: 2,
      reportConcurrencyPerToken: 1,
    });
  });

  it('parses rate and report concurrency limits, naming the variable when one is bad', () => {
    const api = loadConfig({
      API_RATE_LIMIT_PER_MINUTE: '30',
      API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '90',
      API_REPORT_CONCURRENCY: '4',
      API_REPORT_CONCURRENCY_PER_TOKEN: '2',
    }).api;
    expect(api).toMatchObject({
      rateLimitPerMinute: 30,
      addressRateLimitPerMinute: 90,
      reportConcurrency: 4,
      reportConcurrencyPerToken: 2,
    });
    // More per token than in all could never run: the global limit is the per-token one too.
    const capped = loadConfig({
      API_REPORT_CONCURRENCY: '1',
      API_REPORT_CONCURRENCY_PER_TOKEN: '3',
    }).api;
    expect(capped.reportConcurrencyPerToken).toBe(1);
    const text = problemsOf({
      API_RATE_LIMIT_PER_MINUTE: '0',
      API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 'lots',
      API_REPORT_CONCURRENCY: '65',
    }).join('\n');
    expect(text).toMatch(/API_RATE_LIMIT_PER_MINUTE: expected a whole number from 1 to 1000000/);
    expect(text).toMatch(
      /API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: expected a whole number from 1 to 1000000/,
    );
    expect(text).toMatch(/API_REPORT_CONCURRENCY: expected a whole number from 1 to 64/);
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
