import { alertSchema, TRANSITIONS } from '@denyscope/alerts';
import { Webhook } from 'standardwebhooks';
import type { Delivery } from './http-receiver.js';
import { pagerDutyEventProblems } from './pagerduty-schema.js';

// What a receiver of each sink checks: the payload shape Slack requires, a PagerDuty event valid
// by PagerDuty's published schema, and a webhook verified by the official `standardwebhooks`
// library as a customer's endpoint would.
// Used by the notifier's tests, the end-to-end tests and the chaos scenarios.

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function record(value: unknown): Record<string, unknown> {
  assert(typeof value === 'object' && value !== null && !Array.isArray(value), 'not an object');
  return value as Record<string, unknown>;
}

/** Incoming webhook: a `text` fallback and Block Kit blocks starting with a header. */
export function checkSlack({ body }: Delivery): void {
  const message = record(body);
  assert(typeof message.text === 'string' && message.text.length > 0, 'slack: text missing');
  assert(Array.isArray(message.blocks) && message.blocks.length > 0, 'slack: blocks missing');
  const types = (message.blocks as unknown[]).map((block) => record(block).type);
  assert(types[0] === 'header', 'slack: first block is not a header');
  assert(types.includes('section') && types.includes('context'), 'slack: section/context missing');
}

/**
 * Events API v2: valid by PagerDuty's own published schema (pagerduty-schema.ts, no field it does
 * not name), for our routing key, and what its documentation asks in prose but the schema does
 * not encode: a dedup_key on every event (required for acknowledge and resolve; we always send
 * one) of at most 255 characters, and on a trigger a payload whose summary is at most 1024.
 */
export function checkPagerDuty(routingKey: string) {
  return ({ body }: Delivery): void => {
    const problems = pagerDutyEventProblems(body);
    assert(problems.length === 0, `pagerduty: not an Events API v2 event: ${problems.join('; ')}`);
    const event = record(body);
    assert(event.routing_key === routingKey, 'pagerduty: wrong routing_key');
    assert(typeof event.dedup_key === 'string' && event.dedup_key.length > 0, 'no dedup_key');
    assert(event.dedup_key.length <= 255, 'pagerduty: dedup_key too long');
    if (event.event_action !== 'trigger') return;
    const payload = record(event.payload);
    assert(String(payload.summary).length > 0, 'pagerduty: summary empty');
    assert(String(payload.summary).length <= 1024, 'pagerduty: summary too long');
    assert(payload.source !== '', 'pagerduty: source empty');
    assert(typeof payload.timestamp === 'string', 'pagerduty: no timestamp');
  };
}

/**
 * Verified by the official `standardwebhooks` library as a customer's endpoint would (a `whsec_`
 * secret as the spec's key, any other in the library's raw format), and the body exactly an
 * alert. The deprecated X-Denyscope-* headers kept for one version: their transition is one of
 * the alert transitions and their delivery ID is the signed `webhook-id`.
 */
export function checkWebhook(secret: string) {
  const receiver = secret.startsWith('whsec_')
    ? new Webhook(secret)
    : new Webhook(secret, { format: 'raw' });
  return ({ raw, body, headers }: Delivery): void => {
    const header = (name: string) => {
      const value = headers[name.toLowerCase()];
      return typeof value === 'string' ? value : undefined;
    };
    const standard: Record<string, string> = {};
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      standard[name] = header(name) ?? '';
    }
    receiver.verify(raw, standard); // throws WebhookVerificationError
    const alert = alertSchema.strict().safeParse(body);
    assert(alert.success, 'webhook: body is not exactly an alert');
    assert(
      (TRANSITIONS as readonly string[]).includes(header('x-denyscope-transition') ?? ''),
      'webhook: bad transition header',
    );
    assert(
      header('webhook-id') === header('x-denyscope-delivery'),
      'webhook: webhook-id and X-Denyscope-Delivery differ',
    );
  };
}
