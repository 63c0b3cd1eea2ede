import { SPAN_NAMES } from '@denyscope/telemetry';
import {
  startOtlpCollector,
  startService,
  waitFor,
  type OtlpCollector,
  type ReceivedSpan,
  type Receiver,
} from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationFixture } from './fixtures.js';
import { notifierSetup } from './notifier-setup.js';
import { checkWebhook, startReceiver } from './receivers.js';

const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw9zzOs6NgzLw=';
/** Where the detector's evaluation that raised the alert was recorded (W3C's example IDs). */
const EVALUATION = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' };
const SPAN_KIND = { server: 2, client: 3, consumer: 5 };

// `denyscope notify` as deployed, exporting spans over OTLP: one notifier.deliver span per
// delivery, linked to the evaluation named by the alert's evidence; under it the webhook's HTTP
// request (undici instrumentation) and the ordering ledger's Redis calls (ioredis
// instrumentation), both registered by startTelemetry; the delivery's log lines carry its IDs.
describe('the notifier exports each delivery as a trace', () => {
  const webhookPath = '/denyscope-hook';
  const setup = notifierSetup({ WEBHOOK_SECRET, WEBHOOK_URL: 'http://127.0.0.1:9/unused' });
  let otlp: OtlpCollector;
  let webhook: Receiver;

  beforeAll(async () => {
    otlp = await startOtlpCollector();
    webhook = await startReceiver(checkWebhook(WEBHOOK_SECRET));
  });
  afterAll(async () => {
    await webhook?.close();
    await otlp?.close();
    await setup.cleanup();
  });

  it('notifier.deliver → HTTP POST (undici) and Redis (ioredis), linked to the evaluation', async () => {
    const notifier = startService('notify', {
      ...setup.env,
      WEBHOOK_URL: `${webhook.url}${webhookPath}`,
      NOTIFY_LOG_ENABLED: 'false',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    let output: string;
    try {
      const notification = notificationFixture('opened', 1, {
        alert_id: `tracing-${setup.prefix}`,
        evidence: { distinct_ids: 212, ...EVALUATION },
      });
      await setup.add(notification);
      await waitFor(
        'the webhook delivery',
        () => Promise.resolve(webhook.accepted.length),
        (n) => n === 1,
        { timeoutMs: 30_000 },
      );
    } finally {
      // SIGTERM: the notifier drains, then shutdownTelemetry flushes the spans still pending.
      const exit = await notifier.stop();
      output = notifier.output();
      expect(exit.code, output).toBe(0);
    }
    expect(webhook.problems).toEqual([]);

    const delivers = otlp.spans.filter(
      (span) =>
        span.name === SPAN_NAMES.notifierDeliver && span.attributes['denyscope.sink'] === 'webhook',
    );
    expect(delivers, JSON.stringify(otlp.spans.map((span) => span.name))).toHaveLength(1);
    const deliver = delivers[0] as ReceivedSpan;
    expect(deliver.scope).toBe('denyscope');
    expect(deliver.kind).toBe(SPAN_KIND.consumer);
    expect(deliver.attributes).toMatchObject({
      'denyscope.alert.id': `tracing-${setup.prefix}`,
      'denyscope.alert.transition': 'opened',
      'denyscope.alert.version': 1,
      'denyscope.delivery.attempt': 1,
      'denyscope.delivery.outcome': 'delivered',
      'server.address': new URL(webhook.url).host,
    });
    // A trace of its own (a job, not a request), linked to the detector's evaluation.
    expect(deliver.traceId).not.toBe(EVALUATION.trace_id);
    expect(deliver.links).toEqual([
      expect.objectContaining({ traceId: EVALUATION.trace_id, spanId: EVALUATION.span_id }),
    ]);

    const children = otlp.spans.filter((span) => span.parentSpanId === deliver.spanId);
    for (const child of children) expect(child.traceId).toBe(deliver.traceId);
    // The webhook request: the undici instrumentation's client span, a child of the delivery.
    const requests = children.filter(
      (span) => span.scope === '@opentelemetry/instrumentation-undici',
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]?.kind).toBe(SPAN_KIND.client);
    expect(requests[0]?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `${webhook.url}${webhookPath}`,
      'http.response.status_code': 200,
    });
    // The ledger's reads and writes: the ioredis instrumentation's client spans.
    const redis = children.filter(
      (span) => span.scope === '@opentelemetry/instrumentation-ioredis',
    );
    expect(redis.length).toBeGreaterThan(0);
    expect(redis.every((span) => span.kind === SPAN_KIND.client)).toBe(true);

    // The delivery's log line carries the delivery span's IDs; lines outside any span do not.
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const delivered = lines.filter((line) => line.msg === 'delivered' && line.sink === 'webhook');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      trace_id: deliver.traceId,
      span_id: deliver.spanId,
      trace_flags: '01',
    });
    const running = lines.find((line) => line.msg === 'notifier running');
    expect(running, lines.map((line) => line.msg).join('\n')).toBeDefined();
    expect(running).not.toHaveProperty('trace_id');
  }, 90_000);
});
