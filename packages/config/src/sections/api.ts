import { z } from 'zod';

// Options of the HTTP API, one environment variable each. A bad value must name the variable and
// what was expected (zod messages, as in env-schema.ts). Documented in README.md and docs/api.md.
// API_ADMIN_TOKENS and API_ACCOUNT_TOKENS are in SECRET_VARIABLES: their values are never echoed,
// so the messages below say which entry is wrong, never what it holds.

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

export const apiEnv = {
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z
    .string()
    .regex(/^\d+$/, { message: 'expected a port number from 1 to 65535' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(65_535))
    .default(8080),
  API_ADMIN_TOKENS: adminTokens.default([]),
  API_ACCOUNT_TOKENS: accountTokens.default([]),
} satisfies Record<string, z.ZodType>;

type ApiEnv = z.output<z.ZodObject<typeof apiEnv>>;

export interface ApiConfig {
  host: string;
  port: number;
  /** Bearer tokens that may read and change everything. */
  adminTokens: string[];
  /** Bearer tokens that may read only their own account's report. */
  accountTokens: AccountToken[];
}

export function apiSection(parsed: ApiEnv): ApiConfig {
  return {
    host: parsed.API_HOST,
    port: parsed.API_PORT,
    adminTokens: parsed.API_ADMIN_TOKENS,
    accountTokens: parsed.API_ACCOUNT_TOKENS,
  };
}
