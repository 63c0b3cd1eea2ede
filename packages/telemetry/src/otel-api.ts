import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';

/** Instrumentation scope for denyscope's own spans and metrics. */
export const INSTRUMENTATION_SCOPE = 'denyscope';

/**
 * A tracer from the global provider. Safe to call before startTelemetry: the trace API hands out
 * a proxy that switches to the SDK once it is registered.
 */
export function getTracer(scope: string = INSTRUMENTATION_SCOPE): Tracer {
  return trace.getTracer(scope);
}

/**
 * A meter from the global provider. Call it only AFTER startTelemetry: unlike the trace API, the
 * metrics API has no proxy, so a meter taken earlier stays a no-op for good
 * (https://github.com/open-telemetry/opentelemetry-js/issues/3622).
 */
export function getMeter(scope: string = INSTRUMENTATION_SCOPE): Meter {
  return metrics.getMeter(scope);
}
