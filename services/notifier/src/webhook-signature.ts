import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a webhook delivery (HTTP header names are case-insensitive). */
export const WEBHOOK_HEADERS = {
  timestamp: 'X-Denyscope-Timestamp',
  signature: 'X-Denyscope-Signature',
  transition: 'X-Denyscope-Transition',
  delivery: 'X-Denyscope-Delivery',
} as const;

const VERSION = 'v1';

/**
 * `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. The timestamp is inside the MAC so that a
 * captured delivery cannot be replayed outside the receiver's tolerance window.
 */
export function signWebhookBody(
  secret: string,
  timestamp: number | string,
  body: string | Uint8Array,
): string {
  return `${VERSION}=${mac(secret, String(timestamp), body).toString('hex')}`;
}

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way. Default 300 s. */
  toleranceS?: number;
  /** The receiver's clock in epoch milliseconds. Default Date.now(). */
  now?: number;
}

/**
 * Checks a delivery as a receiver should: over the raw body bytes (re-serialised JSON may differ),
 * with a fresh timestamp, in constant time. `signature` is the header value; a comma-separated list
 * of `v1=` entries is accepted, any one matching, so a sender can sign with two secrets while they
 * are rotated.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | null | undefined,
  body: string | Uint8Array,
  signature: string | null | undefined,
  { toleranceS = 300, now = Date.now() }: VerifyOptions = {},
): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceS) return false;
  const expected = mac(secret, timestamp, body);
  let matched = false;
  for (const entry of signature.split(',')) {
    const [version, hex] = entry.trim().split('=', 2);
    if (version !== VERSION || hex === undefined || !/^[0-9a-f]{64}$/i.test(hex)) continue;
    // No early exit: every entry is compared, each in constant time.
    if (timingSafeEqual(expected, Buffer.from(hex, 'hex'))) matched = true;
  }
  return matched;
}

function mac(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}
