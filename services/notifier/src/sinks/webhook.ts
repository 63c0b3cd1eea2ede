import { notificationJobId } from '@denyscope/alerts';
import { standardWebhookHeaders } from '../standard-webhooks.js';
import { signWebhookBody, WEBHOOK_HEADERS } from '../webhook-signature.js';
import type { SinkFactory } from './sink.js';

/**
 * The body is exactly the alert contract object; what changed travels in a header. Signed the
 * Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature over id, timestamp and
 * the body bytes as sent) and, for receivers written against earlier versions, with
 * X-Denyscope-Timestamp/-Signature/-Delivery as well — deprecated, removed in the next version
 * (docs/notifier.md). X-Denyscope-Transition stays: the standard has no place for it.
 */
export const createWebhookSink: SinkFactory<'webhook'> = (settings, { post, now }) => ({
  target: new URL(settings.url).host,
  deliver: (notification) => {
    const body = JSON.stringify(notification.alert);
    const timestamp = Math.floor(now() / 1000);
    // Same value on every retry of this state change: receivers deduplicate on it.
    const deliveryId = notificationJobId(notification);
    return post({
      url: settings.url,
      body,
      headers: {
        ...standardWebhookHeaders(settings.secret, deliveryId, timestamp, body),
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: signWebhookBody(settings.secret, timestamp, body),
        [WEBHOOK_HEADERS.transition]: notification.transition,
        [WEBHOOK_HEADERS.delivery]: deliveryId,
      },
    });
  },
});
