import { isSpanContextValid, trace, TraceFlags, type Link } from '@opentelemetry/api';

/** Where to find a span: what an alert's evidence records of the evaluation that raised it. */
export interface TraceIds {
  trace_id: string;
  span_id: string;
}

/**
 * The active span's IDs when it is recorded, else undefined. Without an exporter spans are not
 * recorded (startTelemetry registers no tracer provider), and IDs that lead to no stored trace
 * would only send someone looking for it.
 */
export function activeTraceIds(): TraceIds | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * A span link to a span recorded elsewhere (another process, an earlier job), e.g. from the
 * `trace_id`/`span_id` an alert's evidence carries; undefined when they are absent or malformed.
 */
export function linkToTrace(ids: { trace_id?: unknown; span_id?: unknown }): Link | undefined {
  if (typeof ids.trace_id !== 'string' || typeof ids.span_id !== 'string') return undefined;
  const context = {
    traceId: ids.trace_id,
    spanId: ids.span_id,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(context) ? { context } : undefined;
}
