import { describe, expect, it } from 'vitest';
import { createLogger } from '@denyscope/telemetry';
import { alertFixture, notificationFixture } from '../test/fixtures.js';
import type { HttpRequest } from './http-post.js';
import { createWebhookSink } from './sinks/webhook.js';
import { signWebhookBody, verifyWebhookSignature, WEBHOOK_HEADERS } from './webhook-signature.js';

const SECRET = 'a-long-enough-shared-secret';
const NOW = 1_800_000_000_000;
const TS = String(NOW / 1000);
const BODY = JSON.stringify(alertFixture());

describe('webhook signatures', () => {
  it('accepts a valid signature', () => {
    const signature = signWebhookBody(SECRET, TS, BODY);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, TS, BODY, signature, { now: NOW })).toBe(true);
    expect(verifyWebhookSignature(SECRET, TS, Buffer.from(BODY), signature, { now: NOW })).toBe(
      true,
    );
  });

  it('rejects a tampered body, a wrong secret and a moved timestamp', () => {
    const signature = signWebhookBody(SECRET, TS, BODY);
    const tampered = BODY.replace('"high"', '"info"');
    expect(verifyWebhookSignature(SECRET, TS, tampered, signature, { now: NOW })).toBe(false);
    expect(
      verifyWebhookSignature('another-secret-of-length', TS, BODY, signature, { now: NOW }),
    ).toBe(false);
    expect(
      verifyWebhookSignature(SECRET, String(NOW / 1000 + 1), BODY, signature, { now: NOW }),
    ).toBe(false);
  });

  it('rejects stale and future timestamps outside the tolerance', () => {
    const signature = signWebhookBody(SECRET, TS, BODY);
    expect(verifyWebhookSignature(SECRET, TS, BODY, signature, { now: NOW + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, TS, BODY, signature, { now: NOW - 301_000 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, TS, BODY, signature, { now: NOW + 299_000 })).toBe(true);
    expect(
      verifyWebhookSignature(SECRET, TS, BODY, signature, {
        now: NOW + 3_000_000,
        toleranceS: 3600,
      }),
    ).toBe(true);
  });

  it('rejects missing and malformed headers, and accepts any of several signatures', () => {
    const signature = signWebhookBody(SECRET, TS, BODY);
    expect(verifyWebhookSignature(SECRET, undefined, BODY, signature, { now: NOW })).toBe(false);
    expect(verifyWebhookSignature(SECRET, TS, BODY, null, { now: NOW })).toBe(false);
    expect(verifyWebhookSignature(SECRET, 'soon', BODY, signature, { now: NOW })).toBe(false);
    expect(verifyWebhookSignature(SECRET, TS, BODY, 'v1=abc', { now: NOW })).toBe(false);
    expect(
      verifyWebhookSignature(SECRET, TS, BODY, signature.replace('v1', 'v0'), { now: NOW }),
    ).toBe(false);
    const rotating = `${signWebhookBody('old-secret-0123456789', TS, BODY)}, ${signature}`;
    expect(verifyWebhookSignature(SECRET, TS, BODY, rotating, { now: NOW })).toBe(true);
  });

  it('the webhook sink sends exactly the alert, signed, with the transition in a header', async () => {
    const sent: HttpRequest[] = [];
    const sink = createWebhookSink(
      { url: 'https://siem.example/hook', secret: SECRET, minSeverity: 'info', rules: [] },
      {
        post: (request) => {
          sent.push(request);
          return Promise.resolve();
        },
        log: createLogger({ service: 'test', level: 'silent' }),
        runbookBaseUrl: undefined,
        now: () => NOW + 999,
      },
    );
    const notification = notificationFixture('escalated', 2);
    await sink.deliver(notification);
    expect(sink.target).toBe('siem.example');
    const [request] = sent;
    expect(JSON.parse(request?.body ?? '')).toEqual(notification.alert);
    const headers = request?.headers ?? {};
    expect(headers[WEBHOOK_HEADERS.timestamp]).toBe(TS);
    expect(headers[WEBHOOK_HEADERS.transition]).toBe('escalated');
    expect(headers[WEBHOOK_HEADERS.delivery]).toBe('id-enumeration-5f2c.v2');
    expect(
      verifyWebhookSignature(
        SECRET,
        headers[WEBHOOK_HEADERS.timestamp],
        request?.body ?? '',
        headers[WEBHOOK_HEADERS.signature],
        { now: NOW },
      ),
    ).toBe(true);
  });
});
