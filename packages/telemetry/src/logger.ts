import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { REDACT_PATHS, REDACTED } from './redact-paths.js';

/** The logger every denyscope service and command uses. Call it object-first: `log.info({ partition }, 'msg')`. */
export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Service or command name, written on every line as `service`. */
  service: string;
  /** A pino level name (`info`, `debug`, `silent`, …); validated upstream by @denyscope/config. Default `info`. */
  level?: string | undefined;
  /** `stderr` for CLI commands whose stdout carries data. Default `stdout`. Ignored when `destination` is given. */
  stream?: 'stdout' | 'stderr' | undefined;
  /** Where the JSON lines go instead of stdout/stderr; tests pass an in-memory stream. */
  destination?: pino.DestinationStream | undefined;
}

/** Creates a JSON-lines logger with `service` and `pid` on every line, ISO times and secrets redacted. */
export function createLogger(opts: LoggerOptions): Logger {
  const destination =
    opts.destination ??
    // Synchronous writes: log volume is low (per batch, never per message), and a line written just
    // before a crash or `process.exit()` must not be lost in an async buffer.
    pino.destination({ dest: opts.stream === 'stderr' ? 2 : 1, sync: true });

  return pino(
    {
      level: opts.level ?? 'info',
      // Replaces pino's default base, dropping `hostname`: the platform (container/pod) adds it.
      base: { service: opts.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names ("warn") rather than numbers (40), so lines are readable and queryable as-is.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      mixin: traceFields,
    },
    destination,
  );
}

/**
 * Log correlation: a line written inside a span carries its `trace_id`, `span_id` and
 * `trace_flags`, the field names @opentelemetry/instrumentation-pino writes (and the OTel log data
 * model's). Done here rather than by that instrumentation, which patches pino when it is loaded:
 * the CLI imports this module, and so pino, before it starts the SDK (services/cli/src/main.ts),
 * and tests and scripts create loggers without any SDK, so the patch would silently miss them.
 * Outside a span, or when spans are not recorded (no exporter: the span context is invalid), a
 * line gets nothing.
 */
function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (context === undefined || !isSpanContextValid(context)) return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: `0${context.traceFlags.toString(16)}`,
  };
}
