export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { REDACT_PATHS, REDACTED } from './redact-paths.js';
export {
  startTelemetry,
  shutdownTelemetry,
  type StartTelemetryOptions,
  type ShutdownTelemetryOptions,
  type TelemetryStatus,
} from './start.js';
export { getMeter, getTracer, INSTRUMENTATION_SCOPE } from './otel-api.js';
export {
  createIngestMetrics,
  DEAD_LETTER_REASON_KINDS,
  INGEST_METRIC_NAMES,
  type DeadLetterReasonKind,
  type IngestMetrics,
  type IngestMetricsSnapshot,
} from './ingest-metrics.js';
export { withSpan, SPAN_NAMES } from './with-span.js';
export { SpanKind } from '@opentelemetry/api';
export type { Attributes, Link, Meter, Span, SpanContext, Tracer } from '@opentelemetry/api';
export { activeTraceIds, linkToTrace, type TraceIds } from './trace-ids.js';
