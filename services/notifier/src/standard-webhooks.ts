import { createHmac, timingSafeEqual } from 'node:crypto';

// Standard Webhooks (https://www.standardwebhooks.com, spec v1): what receivers using the official
// `standardwebhooks` libraries (or Svix) verify out of the box. The signed content is
// "<webhook-id>.<webhook-timestamp>.<raw body>", so the delivery ID receivers deduplicate on is
// covered by the signature too.

export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

const SECRET_PREFIX = 'whsec_';

/**
 * The HMAC key of WEBHOOK_SECRET. `whsec_<base64>` (the spec's form) is the base64-decoded bytes;
 * any other secret is its characters' low bytes, which is what the libraries' `format: 'raw'`
 * takes (`new Webhook(secret, { format: 'raw' })`) — the same bytes as UTF-8 for ASCII secrets.
 */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX)
    ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'latin1');
}

function signature(key: Buffer, id: string, timestampS: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestampS}.`).update(body).digest();
}

/** The three headers of one delivery; `id` must stay the same on every retry of it. */
export function standardWebhookHeaders(
  secret: string,
  id: string,
  timestampS: number,
  body: string | Uint8Array,
): Record<string, string> {
  const mac = signature(standardWebhookKey(secret), id, String(timestampS), body);
  return {
    [STANDARD_WEBHOOK_HEADERS.id]: id,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(timestampS),
    [STANDARD_WEBHOOK_HEADERS.signature]: `v1,${mac.toString('base64')}`,
  };
}

/**
 * Verifies a delivery as the spec says (raw body, timestamp within `toleranceS` either way,
 * constant-time comparison, any one of several space-separated `v1,` signatures). For receivers
 * written in TypeScript that do not want the `standardwebhooks` package.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: Readonly<Record<string, string | undefined>>,
  body: string | Uint8Array,
  { toleranceS = 300, now = Date.now() }: { toleranceS?: number; now?: number } = {},
): boolean {
  const id = headers[STANDARD_WEBHOOK_HEADERS.id];
  const timestamp = headers[STANDARD_WEBHOOK_HEADERS.timestamp];
  const signatures = headers[STANDARD_WEBHOOK_HEADERS.signature];
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceS) return false;
  const expected = signature(standardWebhookKey(secret), id, timestamp, body);
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const [version, encoded] = entry.split(',', 2);
    if (version !== 'v1' || encoded === undefined) continue;
    const given = Buffer.from(encoded, 'base64');
    // No early exit: every entry is compared, each in constant time.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}
