import {
  SpanStatusCode,
  type Attributes,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Span names used across denyscope. Names are low-cardinality constants: anything that varies
 * per call (topic, partition, row count, table) goes into attributes instead.
 */
export const SPAN_NAMES = {
  /** One flushed batch of Kafka messages: stored, dead letters sent, offsets committed. */
  ingestFlush: 'ingest.flush',
  clickhouseInsert: 'clickhouse.insert',
  /** One detect job (runTick): every evaluation it walks. */
  detectorTick: 'detector.tick',
  /** One evaluation at one watermark: rules, incident transitions, outputs, saved state. */
  detectorEvaluate: 'detector.evaluate',
  /** One rule's queries within an evaluation. */
  detectorRule: 'detector.rule',
  /** One attempt to deliver one notification to one sink. */
  notifierDeliver: 'notifier.deliver',
} as const;

/**
 * Runs `fn` inside a new active span (child spans and log correlation see it as current) and
 * returns its result. A throw or rejection is recorded on the span, which gets ERROR status, and
 * is rethrown unchanged. The span always ends.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
  /** Span kind and links (e.g. to the trace that produced the message being processed). */
  options: Omit<SpanOptions, 'attributes'> = {},
): Promise<T> {
  return tracer.startActiveSpan(name, { ...options, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      const exception = error instanceof Error ? error : String(error);
      span.recordException(exception);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}
