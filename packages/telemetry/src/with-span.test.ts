import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { SPAN_NAMES, withSpan } from './with-span.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');

afterEach(() => exporter.reset());

describe('withSpan', () => {
  it('returns the result of an async fn and ends the span with its attributes', async () => {
    const result = await withSpan(
      tracer,
      SPAN_NAMES.clickhouseInsert,
      { 'db.collection.name': 'api_denials', rows: 3 },
      async (span) => {
        span.setAttribute('inserted', true);
        await new Promise((resolve) => setImmediate(resolve));
        return 42;
      },
    );

    expect(result).toBe(42);
    const [span, ...others] = exporter.getFinishedSpans();
    expect(others).toEqual([]);
    expect(span?.name).toBe('clickhouse.insert');
    expect(span?.attributes).toEqual({
      'db.collection.name': 'api_denials',
      rows: 3,
      inserted: true,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.ended).toBe(true);
  });

  it('accepts a synchronous fn', async () => {
    await expect(withSpan(tracer, SPAN_NAMES.ingestFlush, {}, () => 'done')).resolves.toBe('done');
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it('rethrows the same error, records it and sets ERROR status', async () => {
    const error = new TypeError('insert failed');
    await expect(
      withSpan(tracer, SPAN_NAMES.ingestFlush, {}, async () => {
        await Promise.resolve();
        throw error;
      }),
    ).rejects.toBe(error);

    const [span] = exporter.getFinishedSpans();
    expect(span?.ended).toBe(true);
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'insert failed' });
    expect(span?.events).toMatchObject([
      {
        name: 'exception',
        attributes: { 'exception.type': 'TypeError', 'exception.message': 'insert failed' },
      },
    ]);
  });

  it('handles thrown non-Error values', async () => {
    await expect(
      withSpan(tracer, SPAN_NAMES.ingestFlush, {}, () => {
        // A non-Error throw is the case under test.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw 'plain string';
      }),
    ).rejects.toBe('plain string');

    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'plain string' });
    expect(span?.events[0]?.attributes).toMatchObject({ 'exception.message': 'plain string' });
  });
});
