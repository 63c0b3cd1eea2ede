import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createIngestMetrics, INGEST_METRIC_NAMES } from './ingest-metrics.js';

/** A reader that exports nowhere; collect() hands the test what an exporter would get. */
class TestReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  }
  return byName;
}

describe('createIngestMetrics', () => {
  it('counts in the snapshot without any SDK registered', () => {
    const metrics = createIngestMetrics();
    metrics.addEvents();
    metrics.addEvents(41);
    metrics.addDenials(7);
    metrics.addDeadLettered('json');
    metrics.addDeadLettered('size', 2);
    metrics.addDeadLettered('retention');
    metrics.addInvalidClientIp(4);
    metrics.addEventsAhead('api.responses', 1, 3);
    metrics.recordBatchSize(500);
    metrics.recordBatchSize(250);
    metrics.recordInsertLatency('api_denials', 12.5);
    metrics.setLag('api.responses', 0, 10);
    metrics.setLag('api.responses', 1, 5);
    metrics.setLag('api.responses', 0, 3);

    expect(metrics.snapshot()).toEqual({
      events: 42,
      denials: 7,
      deadLettered: 4,
      deadLetteredByReason: { json: 1, schema: 0, utf8: 0, size: 2, retention: 1 },
      invalidClientIp: 4,
      eventsAhead: 3,
      batches: 2,
      batchRows: 750,
      inserts: 1,
      insertMsTotal: 12.5,
      consumerLag: 8,
    });
  });

  it('ignores negative and NaN values, and unknown lags keep the last known one', () => {
    const metrics = createIngestMetrics();
    metrics.addEvents(-1);
    metrics.addEvents(Number.NaN);
    metrics.addDenials(0);
    metrics.recordBatchSize(-5);
    metrics.recordInsertLatency('t', Number.NaN);
    metrics.setLag('topic', 0, 4);
    metrics.setLag('topic', 0, -1);
    metrics.setLag('topic', 1, Number.POSITIVE_INFINITY);

    expect(metrics.snapshot()).toMatchObject({
      events: 0,
      denials: 0,
      batches: 0,
      inserts: 0,
      consumerLag: 4,
    });
  });

  it('returns a copy, not live state', () => {
    const metrics = createIngestMetrics();
    const before = metrics.snapshot();
    metrics.addDeadLettered('schema');
    expect(before.deadLettered).toBe(0);
    expect(before.deadLetteredByReason.schema).toBe(0);
  });

  it('records the OTel instruments with low-cardinality attributes only', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = createIngestMetrics(provider.getMeter('test'));

    metrics.addEvents(3);
    metrics.addDenials(1);
    metrics.addDeadLettered('utf8');
    metrics.addDeadLettered('utf8');
    metrics.addDeadLettered('schema');
    metrics.addInvalidClientIp(2);
    metrics.addEventsAhead('api.responses', 1, 1);
    metrics.recordBatchSize(1_000);
    metrics.recordInsertLatency('api_denials', 40);
    metrics.setLag('api.responses', 2, 17);
    metrics.setLag('api.responses', 5, 1);
    metrics.deleteLag('api.responses', 5);

    const byName = await collect(reader);
    const points = (name: string) => byName.get(name)?.dataPoints ?? [];

    expect(points(INGEST_METRIC_NAMES.events)).toMatchObject([{ value: 3, attributes: {} }]);
    expect(points(INGEST_METRIC_NAMES.denials)).toMatchObject([{ value: 1 }]);
    expect(
      points(INGEST_METRIC_NAMES.deadLettered).map((point) => [point.attributes, point.value]),
    ).toEqual(
      expect.arrayContaining([
        [{ reason_kind: 'utf8' }, 2],
        [{ reason_kind: 'schema' }, 1],
      ]),
    );
    expect(points(INGEST_METRIC_NAMES.invalidClientIp)).toMatchObject([{ value: 2 }]);
    expect(points(INGEST_METRIC_NAMES.eventsAhead)).toMatchObject([
      { attributes: { topic: 'api.responses', partition: 1 }, value: 1 },
    ]);
    expect(points(INGEST_METRIC_NAMES.batchSize)).toMatchObject([
      { value: { count: 1, sum: 1_000 } },
    ]);
    // Recorded in ms, exported in seconds (semantic conventions), in second-sized buckets.
    const [insert] = points(INGEST_METRIC_NAMES.insertDuration);
    expect(INGEST_METRIC_NAMES.insertDuration).toBe('denyscope.ingest.insert.duration');
    expect(insert).toMatchObject({ attributes: { table: 'api_denials' }, value: { count: 1 } });
    expect((insert?.value as { sum: number }).sum).toBeCloseTo(0.04);
    expect((insert?.value as { buckets: { boundaries: number[] } }).buckets.boundaries).toContain(
      0.05,
    );
    expect(byName.get(INGEST_METRIC_NAMES.insertDuration)?.descriptor.unit).toBe('s');
    expect(points(INGEST_METRIC_NAMES.consumerLag)).toMatchObject([
      { attributes: { topic: 'api.responses', partition: 2 }, value: 17 },
    ]);

    await provider.shutdown();
  });
});
