import { ConfigError, defineSection, httpUrl, ruleIds, severity } from '@denyscope/config';
import { z } from 'zod';
import { sinkRoute, type NotifierRoute } from './sink-route.js';

// The webhook sink's configuration section (one of the notifier's, config.ts). Enabled by
// WEBHOOK_URL, which needs WEBHOOK_SECRET: every delivery is signed with it. Both are secrets.

export type WebhookSettings = NotifierRoute & { url: string; secret: string };

/** A `whsec_` secret must decode to the 24–64 key bytes the Standard Webhooks spec asks for. */
function isWebhookSecret(value: string): boolean {
  if (!value.startsWith('whsec_')) return true;
  const encoded = value.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

export const webhookSection = defineSection({
  variables: {
    WEBHOOK_URL: httpUrl.optional(),
    // Standard Webhooks' `whsec_<base64 of 24–64 bytes>`, or (older setups) any 16+ characters.
    WEBHOOK_SECRET: z
      .string()
      .min(16, { message: 'expected at least 16 characters' })
      .refine(isWebhookSecret, {
        message: 'expected whsec_ followed by the base64 of 24 to 64 random bytes',
      })
      .optional(),
    NOTIFY_WEBHOOK_MIN_SEVERITY: severity.default('info'),
    NOTIFY_WEBHOOK_RULES: ruleIds.optional(),
  },
  secrets: ['WEBHOOK_URL', 'WEBHOOK_SECRET'],
  build: (parsed): WebhookSettings | undefined => {
    const { WEBHOOK_URL: url, WEBHOOK_SECRET: secret } = parsed;
    if (url === undefined) return undefined;
    if (secret === undefined) {
      throw new ConfigError([
        'WEBHOOK_SECRET: required when WEBHOOK_URL is set (deliveries are signed with it)',
      ]);
    }
    return {
      url,
      secret,
      ...sinkRoute(parsed.NOTIFY_WEBHOOK_MIN_SEVERITY, parsed.NOTIFY_WEBHOOK_RULES),
    };
  },
});
