/**
 * IDs shaped like the ones the platform issues (docs/contracts.md, resource-ID patterns and
 * environment markers), so that ingest classifies them as it would real ones: `inv_{int}`,
 * `cus_{ulid}`, `sub_{ulid}` / `sub_test_{ulid}`, `{uuid}`, `file_{hex}`; keys carry the
 * environment marker of their deployment (`key_live_…`, `key_test_…`).
 */
import { type Random, int } from './random.js';

export const ENVS = ['production', 'staging', 'sandbox', 'development'] as const;
export type Env = (typeof ENVS)[number];

export const KINDS = ['invoice', 'customer', 'subscription', 'document', 'file'] as const;
export type Kind = (typeof KINDS)[number];

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CROCKFORD_NOT_HEX = 'GHJKMNPQRSTVWXYZ';
const LETTERS_NOT_HEX = 'ghijkmnpqrstuvwxyzGHJKLMNPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

/** Marker segment of an environment, as the default `ENV_MARKERS` read it back. */
export const ENV_MARKER: Readonly<Record<Env, string>> = {
  production: 'live',
  staging: 'test',
  sandbox: 'sbx',
  development: 'dev',
};

export function token(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out += alphabet.charAt(Math.floor(random() * alphabet.length));
  }
  return out;
}

/**
 * Base62 that starts with a letter beyond `f` and ends with a digit, so that the classifier
 * reads it as `{b62}`, never as `{hex}` or `{int}`.
 */
export function b62(random: Random, length: number): string {
  return `${token(random, LETTERS_NOT_HEX, 1)}${token(random, BASE62, length - 2)}${token(random, '0123456789', 1)}`;
}

/** Lower-case hex with at least one digit and one letter: `{hex}`, not `{int}`. */
export function hex(random: Random, length: number): string {
  return `${token(random, HEX, length - 2)}${token(random, '0123456789', 1)}${token(random, 'abcdef', 1)}`;
}

/** A ULID minted at `ms`: 10 time characters, then 16 random ones. */
export function ulid(random: Random, ms: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i += 1) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  // Digits and A-F only would classify as {hex}: keep one letter beyond F.
  const rest = `${token(random, CROCKFORD, 15)}${token(random, CROCKFORD_NOT_HEX, 1)}`;
  return time + rest;
}

/** Random (version 4) UUID, lower case. */
export function uuid(random: Random): string {
  const h = token(random, HEX, 32);
  const variant = HEX.charAt(8 + Math.floor(random() * 4));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function accountId(random: Random): string {
  return `acct_${b62(random, 16)}`;
}

export function keyId(random: Random, env: Env): string {
  return `key_${ENV_MARKER[env]}_${b62(random, 24)}`;
}

/** `inv_004512`: the platform numbers invoices from one sequence shared by every tenant. */
export function invoiceId(n: number): string {
  return `inv_${String(n).padStart(6, '0')}`;
}

/** The number of an `inv_{int}` ID, or null. */
export function invoiceNumber(id: string): number | null {
  const m = /^inv_(\d+)$/.exec(id);
  return m === null ? null : Number(m[1]);
}

/**
 * A new non-invoice ID of `kind` in `env`, minted at `ms`. Subscriptions carry the marker of a
 * non-production environment (`sub_test_…` in staging); the other kinds carry none, so only the
 * platform's `resource_env` tells their environment.
 */
export function mintId(
  random: Random,
  kind: Exclude<Kind, 'invoice'>,
  env: Env,
  ms: number,
): string {
  switch (kind) {
    case 'customer':
      return `cus_${ulid(random, ms)}`;
    case 'subscription':
      return env === 'production'
        ? `sub_${ulid(random, ms)}`
        : `sub_${ENV_MARKER[env]}_${ulid(random, ms)}`;
    case 'document':
      return uuid(random);
    case 'file':
      return `file_${hex(random, 24)}`;
  }
}

/** An ID of `kind` that nobody was ever issued: what a guesser sends. */
export function inventedId(random: Random, kind: Kind, env: Env, ms: number): string {
  if (kind === 'invoice') return invoiceId(int(random, 50_000_000, 99_999_999));
  // ULIDs of a plausible age, so that they look like real ones.
  return mintId(random, kind, env, ms - int(random, 0, 400) * 86_400_000);
}

/** A unique request ID: a random prefix per run part, then a counter. */
export function requestId(prefix: string, n: number): string {
  return `req_${prefix}${n.toString(36).padStart(7, '0')}`;
}
