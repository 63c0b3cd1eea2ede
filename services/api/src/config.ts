import { defineSection } from '@denyscope/config';
import { z } from 'zod';

// The API's configuration section (API_*), loaded with the shared one by loadConfig (the CLI
// composes every service's). A bad value must name the variable and what was expected (zod
// messages). Documented in README.md and docs/api.md. API_ADMIN_TOKENS and API_ACCOUNT_TOKENS are
// secrets: their values are never echoed, so the messages below say which entry is wrong, never
// what it holds.

const MIN_TOKEN_LENGTH = 16;
const TOKEN = /^[\x21-\x7e]+$/; // printable ASCII, no spaces: safe in an Authorization header
const ACCOUNT_ID = /^[A-Za-z0-9_.@-]{1,128}$/;

const entries = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

const tokenProblem = (token: string): string | undefined => {
  if (token.length < MIN_TOKEN_LENGTH) return `a token of at least ${MIN_TOKEN_LENGTH} characters`;
  if (!TOKEN.test(token)) return 'a token of printable ASCII without spaces';
  return undefined;
};

const adminTokens = z.string().transform((value, ctx) => {
  const tokens = entries(value);
  tokens.forEach((token, index) => {
    const problem = tokenProblem(token);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: expected ${problem}` });
  });
  return tokens;
});

export interface AccountToken {
  accountId: string;
  token: string;
}

const accountTokens = z.string().transform((value, ctx) => {
  const parsed: AccountToken[] = [];
  entries(value).forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const accountId = colon < 0 ? '' : entry.slice(0, colon);
    const token = colon < 0 ? '' : entry.slice(colon + 1);
    const problem = !ACCOUNT_ID.test(accountId)
      ? '<account_id>:<token> with an account ID of letters, digits, _ . @ -'
      : tokenProblem(token);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: expected ${problem}` });
      return;
    }
    parsed.push({ accountId, token });
  });
  return parsed;
});

/** A whole number from `min` to `max`, with the range in the message. */
const wholeNumber = (min: number, max: number) => {
  const message = `expected a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, { message })
    .transform(Number)
    .pipe(z.number().int().min(min, { message }).max(max, { message }));
};

/**
 * Limits of the API (issue 11): one token or one address must not be able to flood the API, and
 * reports (up to 366 days of denials each) must not take ClickHouse away from detection. The API
 * uses these same values when it is built without a configuration (tests, embedding).
 */
export const API_LIMIT_DEFAULTS = Object.freeze({
  /** A dashboard refreshing every few seconds and a CLI user stay well below. */
  rateLimitPerMinute: 120,
  /** Several tokens (a dashboard server, a team behind one NAT) may share an address. */
  addressRateLimitPerMinute: 600,
  reportConcurrency: 2,
  reportConcurrencyPerToken: 1,
});

export interface ApiConfig {
  host: string;
  port: number;
  /** Bearer tokens that may read and change everything. */
  adminTokens: string[];
  /** Bearer tokens that may read only their own account's report. */
  accountTokens: AccountToken[];
  /** Requests per minute per token (every address it is used from together). */
  rateLimitPerMinute: number;
  /** Requests per minute per client address (IPv6 per /64), before the token is checked. */
  addressRateLimitPerMinute: number;
  /** Reports generated at once, in all. */
  reportConcurrency: number;
  /** Reports generated at once per token (at most reportConcurrency). */
  reportConcurrencyPerToken: number;
}

export const apiSection = defineSection({
  variables: {
    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: z
      .string()
      .regex(/^\d+$/, { message: 'expected a port number from 1 to 65535' })
      .transform(Number)
      .pipe(z.number().int().min(1).max(65_535))
      .default(8080),
    API_ADMIN_TOKENS: adminTokens.default([]),
    API_ACCOUNT_TOKENS: accountTokens.default([]),
    API_RATE_LIMIT_PER_MINUTE: wholeNumber(1, 1_000_000).default(
      API_LIMIT_DEFAULTS.rateLimitPerMinute,
    ),
    API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: wholeNumber(1, 1_000_000).default(
      API_LIMIT_DEFAULTS.addressRateLimitPerMinute,
    ),
    API_REPORT_CONCURRENCY: wholeNumber(1, 64).default(API_LIMIT_DEFAULTS.reportConcurrency),
    API_REPORT_CONCURRENCY_PER_TOKEN: wholeNumber(1, 64).default(
      API_LIMIT_DEFAULTS.reportConcurrencyPerToken,
    ),
  },
  secrets: ['API_ADMIN_TOKENS', 'API_ACCOUNT_TOKENS'],
  build: (parsed): ApiConfig => ({
    host: parsed.API_HOST,
    port: parsed.API_PORT,
    adminTokens: parsed.API_ADMIN_TOKENS,
    accountTokens: parsed.API_ACCOUNT_TOKENS,
    rateLimitPerMinute: parsed.API_RATE_LIMIT_PER_MINUTE,
    addressRateLimitPerMinute: parsed.API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE,
    reportConcurrency: parsed.API_REPORT_CONCURRENCY,
    // More per token than in all could never run: the global limit binds first.
    reportConcurrencyPerToken: Math.min(
      parsed.API_REPORT_CONCURRENCY_PER_TOKEN,
      parsed.API_REPORT_CONCURRENCY,
    ),
  }),
});
