import { createRequire, register } from 'node:module';
import { context } from '@opentelemetry/api';
import type * as ContextAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as FastifyOtel from '@fastify/otel';
import type * as ExporterMetricsOtlpHttp from '@opentelemetry/exporter-metrics-otlp-http';
import type * as ExporterTraceOtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as InstrumentationHttp from '@opentelemetry/instrumentation-http';
import type * as InstrumentationIoRedis from '@opentelemetry/instrumentation-ioredis';
import type * as InstrumentationUndici from '@opentelemetry/instrumentation-undici';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type * as SdkNode from '@opentelemetry/sdk-node';
import { isSdkDisabled, metricExportTimings, shouldExport } from './otel-env.js';

// The SDK packages are loaded on the first startTelemetry call that exports something, not when
// this module is imported: @opentelemetry/sdk-node requires every exporter it supports (gRPC
// included), and together they take about a second to load and 20–25 MB of RSS (measured on
// `denyscope ingest`, Node 24: 134 MB idle with them, 106–114 MB without). The package index re-exports this module, so a static import would
// make every `import { createLogger } from '@denyscope/telemetry'` pay that too. A CommonJS
// require keeps startTelemetry synchronous. Node resolves all of these packages to their CommonJS
// build for `import` as well (no `import` condition in their `exports`), so this loads the very
// copies an `import` would.
const loadCommonJs = createRequire(import.meta.url);

function loadSdk() {
  const { NodeSDK } = loadCommonJs('@opentelemetry/sdk-node') as typeof SdkNode;
  const { defaultResource, envDetector, hostDetector, resourceFromAttributes } = loadCommonJs(
    '@opentelemetry/resources',
  ) as typeof Resources;
  const { PeriodicExportingMetricReader } = loadCommonJs(
    '@opentelemetry/sdk-metrics',
  ) as typeof SdkMetrics;
  const { OTLPTraceExporter } = loadCommonJs(
    '@opentelemetry/exporter-trace-otlp-http',
  ) as typeof ExporterTraceOtlpHttp;
  const { OTLPMetricExporter } = loadCommonJs(
    '@opentelemetry/exporter-metrics-otlp-http',
  ) as typeof ExporterMetricsOtlpHttp;
  return {
    NodeSDK,
    defaultResource,
    envDetector,
    hostDetector,
    resourceFromAttributes,
    PeriodicExportingMetricReader,
    OTLPTraceExporter,
    OTLPMetricExporter,
  };
}

/** The context manager NodeSDK would register (AsyncLocalStorage), without NodeSDK. */
function startContextManager(): void {
  const { AsyncLocalStorageContextManager } = loadCommonJs(
    '@opentelemetry/context-async-hooks',
  ) as typeof ContextAsyncHooks;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** Probes answered every few seconds: a trace each would drown the requests worth looking at. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

/**
 * The libraries whose calls become child spans of ours, each its own small package rather than
 * @opentelemetry/auto-instrumentations-node (which installs some forty instrumentations, most for
 * libraries denyscope does not use). Loaded only when spans are exported: without an exporter
 * no span would be recorded, and patching would only cost load time and a wrapper per call.
 *
 * - http: @clickhouse/client talks to ClickHouse over node:http(s); also the API's server spans.
 * - undici: the notifier's webhook, Slack and PagerDuty posts use the global fetch.
 * - ioredis: incidents, rule progress and BullMQ queues.
 * - @fastify/otel (Fastify's own, which replaces the deprecated instrumentation-fastify): route
 *   and handler spans inside the API's request span. `registerOnInitialization` adds its plugin
 *   to every Fastify instance through Fastify's `fastify.initialization` diagnostics channel, so
 *   the API's code needs no hook.
 *
 * Client spans need a parent span: BullMQ polls Redis and the services read ClickHouse all the
 * time outside any operation of ours, and each such call would otherwise be a trace of its own.
 * Kafka has no instrumentation here; ingest's batch span carries the messaging.* attributes.
 */
function loadInstrumentations(): NonNullable<SdkNode.NodeSDKConfiguration['instrumentations']> {
  const { HttpInstrumentation } = loadCommonJs(
    '@opentelemetry/instrumentation-http',
  ) as typeof InstrumentationHttp;
  const { UndiciInstrumentation } = loadCommonJs(
    '@opentelemetry/instrumentation-undici',
  ) as typeof InstrumentationUndici;
  const { IORedisInstrumentation } = loadCommonJs(
    '@opentelemetry/instrumentation-ioredis',
  ) as typeof InstrumentationIoRedis;
  const { FastifyOtelInstrumentation } = loadCommonJs('@fastify/otel') as typeof FastifyOtel;
  // ioredis is CommonJS that our ES modules `import`: Node loads such a package without going
  // through `require`, where the instrumentation waits for it, so it would never be patched.
  // import-in-the-middle's loader hook hands it over instead. `include` keeps every other module
  // off the hook (and off its loader thread); the rest are reached through `require` (http, from
  // @clickhouse/client), diagnostics channels (undici, Fastify) or are not patched at all.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['ioredis'] },
  });
  return [
    new HttpInstrumentation({
      requireParentforOutgoingSpans: true,
      ignoreIncomingRequestHook: (request) => PROBE_PATHS.has(request.url?.split('?')[0] ?? ''),
    }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      ignorePaths: (route) => PROBE_PATHS.has(route.url),
    }),
  ];
}

export interface StartTelemetryOptions {
  /** Default `service.name`; `OTEL_SERVICE_NAME` or `service.name` in `OTEL_RESOURCE_ATTRIBUTES` win over it. */
  serviceName: string;
}

/** What startTelemetry set up, for the service to log once at start-up. */
export interface TelemetryStatus {
  /** False when `OTEL_SDK_DISABLED=true`: nothing was registered and the API stays a no-op. */
  readonly sdk: boolean;
  /** Spans are exported over OTLP/HTTP. When false, spans are not even recorded. */
  readonly traces: boolean;
  /** Metrics are exported over OTLP/HTTP. When false, instruments are no-ops (snapshots still count). */
  readonly metrics: boolean;
}

export interface ShutdownTelemetryOptions {
  /** Give up flushing after this long; default 5000 ms, to stay well inside a SIGTERM grace period. */
  timeoutMs?: number | undefined;
}

// One SDK per process. Both entry points (`@denyscope/telemetry` and `@denyscope/telemetry/start`)
// resolve to this one module, so they share this state.
let started: { status: TelemetryStatus; sdk: SdkNode.NodeSDK | undefined } | undefined;
let stopping: Promise<Error | undefined> | undefined;

/**
 * Starts the OpenTelemetry SDK once per process; later calls return the first call's status.
 *
 * Call it before the service's modules are imported: metric instruments created earlier stay
 * no-ops (see getMeter). Exporters are created only for signals whose OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT`); without one
 * nothing is exported, no connection is ever attempted and the SDK is not even loaded (only a
 * context manager is registered). The exporters send OTLP/HTTP with JSON
 * bodies and read the endpoint, `OTEL_EXPORTER_OTLP_HEADERS` and `..._TIMEOUT` themselves;
 * `OTEL_EXPORTER_OTLP_PROTOCOL` is not honoured.
 */
export function startTelemetry(opts: StartTelemetryOptions): TelemetryStatus {
  if (started !== undefined) return started.status;

  const env = process.env;
  if (isSdkDisabled(env)) {
    started = { status: { sdk: false, traces: false, metrics: false }, sdk: undefined };
    return started.status;
  }

  const traces = shouldExport('traces', env);
  const metrics = shouldExport('metrics', env);
  if (!traces && !metrics) {
    // Nothing to export: of what NodeSDK would set up, only its context manager does anything
    // here (withSpan's span stays active across awaits). Its tracer and meter providers would not
    // be registered, and nothing in denyscope injects or extracts trace context without the
    // instrumentations, which are loaded only with traces; so NodeSDK is not loaded at all.
    startContextManager();
    started = { status: { sdk: true, traces, metrics }, sdk: undefined };
    return started.status;
  }
  const {
    NodeSDK,
    defaultResource,
    envDetector,
    hostDetector,
    resourceFromAttributes,
    PeriodicExportingMetricReader,
    OTLPTraceExporter,
    OTLPMetricExporter,
  } = loadSdk();

  const sdk = new NodeSDK({
    // Our name goes into the base resource, which the detected resource (envDetector:
    // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) is merged over. NodeSDK's `serviceName`
    // option would be merged last and override the environment instead.
    resource: defaultResource().merge(
      resourceFromAttributes({
        'service.name': opts.serviceName,
        'process.pid': process.pid,
        'process.runtime.name': 'nodejs',
        'process.runtime.version': process.versions.node,
      }),
    ),
    // NodeSDK's default detectors include processDetector, which records the full command line
    // (`process.command_args`): CLI flags could carry secrets. An explicit
    // OTEL_NODE_RESOURCE_DETECTORS still takes over (NodeSDK reads it when this is left unset).
    ...(env.OTEL_NODE_RESOURCE_DETECTORS ? {} : { resourceDetectors: [envDetector, hostDetector] }),
    // Explicit lists, even empty ones, stop NodeSDK from building OTLP exporters for every signal
    // from its env defaults (see shouldExport). With no span processor NodeSDK registers no
    // tracer provider; with no reader, no meter provider.
    ...(traces ? { traceExporter: new OTLPTraceExporter() } : { spanProcessors: [] }),
    instrumentations: traces ? loadInstrumentations() : [],
    metricReaders: metrics
      ? [
          new PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter(),
            ...metricExportTimings(env),
          }),
        ]
      : [],
    // Logs go to stdout through pino, never through the OTel logs API.
    logRecordProcessors: [],
  });
  sdk.start();

  started = { status: { sdk: true, traces, metrics }, sdk };
  return started.status;
}

/**
 * Flushes pending spans and metrics and stops the SDK; call it on SIGTERM. Safe to call more than
 * once, or without startTelemetry.
 *
 * Never rejects, so a collector that is down cannot turn a clean shutdown into an unhandled
 * rejection. Resolves to the error when flushing failed or took longer than `timeoutMs`, for the
 * caller to log: `const err = await shutdownTelemetry(); if (err) log.warn({ err }, '...')`.
 * After a timeout the stalled export request stays open until the exporter's own timeout
 * (`OTEL_EXPORTER_OTLP_TIMEOUT`, 10 s) and keeps the event loop alive that long, so a service that
 * must stop now should call `process.exit()` after this.
 */
export function shutdownTelemetry(opts: ShutdownTelemetryOptions = {}): Promise<Error | undefined> {
  const sdk = started?.sdk;
  if (sdk === undefined) return Promise.resolve(undefined);
  stopping ??= withTimeout(sdk.shutdown(), opts.timeoutMs ?? 5_000).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  return stopping;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`telemetry shutdown did not finish within ${ms} ms`)),
      ms,
    );
    // The timer alone must not keep a process alive that is otherwise ready to exit.
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
