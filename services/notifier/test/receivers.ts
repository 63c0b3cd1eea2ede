import { checkWebhook as checkStandardWebhook, type Delivery } from '@denyscope/testkit';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../src/index.js';

// The receivers and the payload checks of each sink live in the testkit (the end-to-end tests,
// the chaos scenarios and the benchmark use them too); the notifier's own tests also check the
// deprecated X-Denyscope-Signature, which only the notifier can compute.
export {
  checkPagerDuty,
  checkSlack,
  startReceiver,
  type Answer,
  type Delivery,
  type Receiver,
} from '@denyscope/testkit';

/** The testkit's webhook check, plus the deprecated X-Denyscope-* signature still valid. */
export function checkWebhook(secret: string) {
  const standard = checkStandardWebhook(secret);
  return (delivery: Delivery): void => {
    standard(delivery);
    const header = (name: string) => {
      const value = delivery.headers[name.toLowerCase()];
      return typeof value === 'string' ? value : undefined;
    };
    const valid = verifyWebhookSignature(
      secret,
      header(WEBHOOK_HEADERS.timestamp),
      delivery.raw,
      header(WEBHOOK_HEADERS.signature),
    );
    if (!valid) throw new Error('webhook: deprecated X-Denyscope-Signature does not verify');
  };
}
