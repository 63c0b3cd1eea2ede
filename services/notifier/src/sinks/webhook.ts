import { notificationJobId } from '@denyscope/alerts';
import { signWebhookBody, WEBHOOK_HEADERS } from '../webhook-signature.js';
import type { SinkFactory } from './sink.js';

/**
 * The body is exactly the alert contract object; what changed travels in a header. The signature
 * covers the timestamp and the body bytes as sent (see docs/notifier.md for receivers).
 */
export const createWebhookSink: SinkFactory<'webhook'> = (settings, { post, now }) => ({
  target: new URL(settings.url).host,
  deliver: (notification) => {
    const body = JSON.stringify(notification.alert);
    const timestamp = Math.floor(now() / 1000);
    return post({
      url: settings.url,
      body,
      headers: {
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: signWebhookBody(settings.secret, timestamp, body),
        [WEBHOOK_HEADERS.transition]: notification.transition,
        // Same value on every retry of this state change: receivers deduplicate on it.
        [WEBHOOK_HEADERS.delivery]: notificationJobId(notification),
      },
    });
  },
});
