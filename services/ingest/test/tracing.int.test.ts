import { produce, startOtlpCollector, waitFor, type OtlpCollector } from '@denyscope/testkit';
import { generateEvents } from '@denyscope/scenarios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totalRequests, useIngestTarget } from './ingest-helpers.js';

// `denyscope ingest` as deployed, exporting spans over OTLP: the instrumentations registered by
// startTelemetry must see @clickhouse/client's requests under our spans, and the log lines of a
// batch must carry its trace.
describe('ingest exports its batches as traces', () => {
  const target = useIngestTarget('tracing', 1, 'kafkajs');
  const events = generateEvents({ count: 300, denialRatio: 0.2, seed: 11 });
  let otlp: OtlpCollector;

  beforeAll(async () => {
    otlp = await startOtlpCollector();
  });
  afterAll(async () => {
    await otlp.close();
  });

  it('ingest.flush → clickhouse.insert → HTTP POST, and logs with the batch span IDs', async () => {
    await produce(target.kafka, target.topic, events);
    const ingest = target.startIngest({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      LOG_LEVEL: 'debug',
    });
    await waitFor(
      'all requests counted',
      () => totalRequests(target.clickhouse()),
      (n) => n >= events.length,
      { timeoutMs: 60_000 },
    );
    // SIGTERM: ingest drains, then shutdownTelemetry flushes the spans still pending.
    expect((await ingest.stop()).code).toBe(0);

    const flush = otlp.spans.find(
      (span) => span.name === 'ingest.flush' && span.attributes['denyscope.ingest.denials'] !== 0,
    );
    expect(flush?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': target.topic,
      'messaging.consumer.group.name': target.groupId,
      'messaging.destination.partition.id': '0',
    });
    expect(flush?.attributes['messaging.batch.message_count']).toBeGreaterThan(0);
    const inserts = otlp.spans.filter(
      (span) => span.name === 'clickhouse.insert' && span.parentSpanId === flush?.spanId,
    );
    expect(inserts.map((span) => span.attributes['db.collection.name'])).toEqual(
      expect.arrayContaining(['denials', 'request_totals', 'ingest_watermarks']),
    );
    expect(inserts[0]?.attributes).toMatchObject({
      'db.system.name': 'clickhouse',
      'db.operation.name': 'INSERT',
    });
    // The http instrumentation's client span of that INSERT's request, in the same trace.
    const request = otlp.spans.find((span) => span.parentSpanId === inserts[0]?.spanId);
    expect(request?.scope).toBe('@opentelemetry/instrumentation-http');
    expect(request?.traceId).toBe(flush?.traceId);
    expect(request?.attributes['http.request.method'] ?? request?.attributes['http.method']).toBe(
      'POST',
    );

    // The batch's log line carries the batch span's IDs.
    const stored = ingest
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'batch stored');
    expect(stored.length).toBeGreaterThan(0);
    const spanIds = new Map(
      otlp.spans.filter((s) => s.name === 'ingest.flush').map((s) => [s.spanId, s.traceId]),
    );
    for (const line of stored) {
      expect(spanIds.get(line.span_id as string)).toBe(line.trace_id);
    }
  });
});
