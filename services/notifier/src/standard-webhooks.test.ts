import { createLogger } from '@denyscope/telemetry';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { notificationFixture } from '../test/fixtures.js';
import type { HttpRequest } from './http-post.js';
import { createWebhookSink } from './sinks/webhook.js';
import { standardWebhookHeaders, verifyStandardWebhook } from './standard-webhooks.js';

// The receiver here is the official `standardwebhooks` library (what a customer's endpoint
// runs): a delivery that it rejects ("Missing required headers", "No matching signature found")
// is a delivery our users cannot verify.

const WHSEC = `whsec_${randomBytes(32).toString('base64')}`;
const RAW = 'an-older-setup-secret-of-any-characters';

async function deliver(
  secret: string,
  now = Date.now(),
): Promise<{ body: string; headers: Record<string, string> }> {
  const sent: HttpRequest[] = [];
  const sink = createWebhookSink(
    { url: 'https://siem.example/hook', secret, minSeverity: 'info', rules: [] },
    {
      post: (request) => {
        sent.push(request);
        return Promise.resolve();
      },
      log: createLogger({ service: 'test', level: 'silent' }),
      runbookBaseUrl: undefined,
      now: () => now,
    },
  );
  await sink.deliver(notificationFixture('escalated', 2));
  const [request] = sent;
  return { body: request?.body ?? '', headers: request?.headers ?? {} };
}

describe('Standard Webhooks', () => {
  it('a whsec_ secret verifies with the official library, the delivery ID signed', async () => {
    const request = await deliver(WHSEC);
    const alert = new Webhook(WHSEC).verify(request.body, request.headers);
    expect(alert).toEqual(notificationFixture('escalated', 2).alert);
    expect(request.headers['webhook-id']).toBe('id-enumeration-5f2c.v2');

    // The ID is signed: a receiver that dedupes on it cannot be fed a forged one.
    const forged = { ...request.headers, 'webhook-id': 'id-enumeration-5f2c.v3' };
    expect(() => new Webhook(WHSEC).verify(request.body, forged)).toThrow(
      'No matching signature found',
    );
    expect(() =>
      new Webhook(WHSEC).verify(request.body.replace('"high"', '"info"'), request.headers),
    ).toThrow('No matching signature found');
  });

  it('any other secret verifies with the library in raw format', async () => {
    const request = await deliver(RAW);
    expect(new Webhook(RAW, { format: 'raw' }).verify(request.body, request.headers)).toEqual(
      notificationFixture('escalated', 2).alert,
    );
  });

  it('the library rejects a delivery outside its tolerance, and so do we', async () => {
    const old = await deliver(WHSEC, Date.now() - 10 * 60_000);
    expect(() => new Webhook(WHSEC).verify(old.body, old.headers)).toThrow(
      'Message timestamp too old',
    );
    expect(verifyStandardWebhook(WHSEC, old.headers, old.body)).toBe(false);
  });

  it('our verifier agrees with the library and accepts one of several signatures', () => {
    const now = Date.now();
    const body = '{"alert_id":"x"}';
    const headers = standardWebhookHeaders(WHSEC, 'msg_1', Math.floor(now / 1000), body);
    const library = new Webhook(WHSEC).sign('msg_1', new Date(now), body);
    expect(headers['webhook-signature']).toBe(library);
    expect(verifyStandardWebhook(WHSEC, headers, body, { now })).toBe(true);
    expect(verifyStandardWebhook(RAW, headers, body, { now })).toBe(false);
    const rotating = {
      ...headers,
      'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`,
    };
    expect(verifyStandardWebhook(WHSEC, rotating, body, { now })).toBe(true);
    expect(verifyStandardWebhook(WHSEC, { ...headers, 'webhook-id': undefined }, body)).toBe(false);
  });
});
