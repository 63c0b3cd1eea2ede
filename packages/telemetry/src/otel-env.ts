/**
 * Reads the standard OTEL_* variables that decide what startTelemetry exports. Kept apart from
 * start.ts so the decisions can be tested without starting an SDK.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export type Signal = 'traces' | 'metrics';

/** Like @opentelemetry/core's getStringFromEnv: unset and blank are the same. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function positiveNumber(env: Env, name: string): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** `OTEL_SDK_DISABLED=true` (case-insensitive), as the spec and NodeSDK read it. */
export function isSdkDisabled(env: Env): boolean {
  return read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
}

/**
 * Whether a signal is exported over OTLP/HTTP: only when an endpoint for it is configured, and not
 * when `OTEL_<SIGNAL>_EXPORTER` lists `none`.
 *
 * This deliberately departs from NodeSDK's own env handling, which defaults
 * `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER` to `otlp` and so
 * sends to http://localhost:4318 whenever no endpoint is set. Other exporter values (`console`,
 * `zipkin`, `prometheus`) are not supported here and are ignored.
 */
export function shouldExport(signal: Signal, env: Env): boolean {
  const upper = signal.toUpperCase();
  const exporters =
    read(env, `OTEL_${upper}_EXPORTER`)
      ?.split(',')
      .map((name) => name.trim().toLowerCase()) ?? [];
  if (exporters.includes('none')) return false;
  return (
    read(env, `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`) !== undefined ||
    read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined
  );
}

/**
 * Export interval and timeout for the periodic metric reader, from `OTEL_METRIC_EXPORT_INTERVAL`
 * and `OTEL_METRIC_EXPORT_TIMEOUT` (spec defaults 60 s and 30 s). NodeSDK only applies these to
 * readers it builds itself, so we read them for ours. The timeout is clamped to the interval,
 * because PeriodicExportingMetricReader throws when an explicit timeout exceeds it.
 */
export function metricExportTimings(env: Env): {
  exportIntervalMillis: number;
  exportTimeoutMillis: number;
} {
  const exportIntervalMillis = positiveNumber(env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  const timeout = positiveNumber(env, 'OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000;
  return { exportIntervalMillis, exportTimeoutMillis: Math.min(timeout, exportIntervalMillis) };
}
