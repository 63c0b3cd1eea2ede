import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiConfig } from './config.js';

/** Who a request is: an admin, or an account that may read only its own report. */
export type Principal =
  { kind: 'admin'; label: string } | { kind: 'account'; label: string; accountId: string };

interface KnownToken {
  digest: Buffer;
  principal: Principal;
}

const digestOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Resolves bearer tokens to principals. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, against every known token without stopping at a match, so neither the
 * token's length nor its position in the list shows in the response time.
 */
export class TokenRegistry {
  private readonly known: KnownToken[];

  constructor(tokens: Pick<ApiConfig, 'adminTokens' | 'accountTokens'>) {
    this.known = [
      ...tokens.adminTokens.map((token, index) => ({
        digest: digestOf(token),
        principal: { kind: 'admin', label: `admin-${index + 1}` } as const,
      })),
      ...tokens.accountTokens.map(({ accountId, token }) => ({
        digest: digestOf(token),
        principal: { kind: 'account', label: `account:${accountId}`, accountId } as const,
      })),
    ];
  }

  /** The principal of an `Authorization` header value, or undefined. */
  resolve(header: string | undefined): Principal | undefined {
    const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
    const digest = digestOf(match?.[1] ?? '');
    let found: Principal | undefined;
    for (const known of this.known) {
      if (timingSafeEqual(known.digest, digest) && found === undefined) found = known.principal;
    }
    return match ? found : undefined;
  }
}
