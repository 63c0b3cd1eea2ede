import {
  dropDatabase,
  freePort,
  migratedDatabase,
  startOtlpCollector,
  startService,
  testNames,
  waitFor,
  type OtlpCollector,
  type ReceivedSpan,
  type ServiceProcess,
} from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ADMIN_TOKEN = 'tracing-admin-token-0123456789';
const SPAN_KIND = { server: 2, client: 3 };

// `denyscope api` as deployed, exporting spans over OTLP: a request's server span (http
// instrumentation), Fastify's own spans inside it (@fastify/otel, registered by startTelemetry
// through Fastify's diagnostics channel) and the ClickHouse (http) and Redis (ioredis) calls the
// handlers make, all in the request's trace.
describe('the API exports each request as a trace', () => {
  const names = testNames('apitracing');
  let otlp: OtlpCollector;
  let api: ServiceProcess | undefined;
  let url: string;

  beforeAll(async () => {
    otlp = await startOtlpCollector();
    await (await migratedDatabase(names.database)).close();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    api = startService('api', {
      CLICKHOUSE_DATABASE: names.database,
      BULLMQ_PREFIX: `test-apitracing-${names.suffix}`,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      API_ADMIN_TOKENS: ADMIN_TOKEN,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    await waitFor(
      'the API listening',
      () =>
        fetch(`${url}/healthz`).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 200,
      { timeoutMs: 30_000 },
    );
  });
  afterAll(async () => {
    await api?.stop();
    await otlp?.close();
    await dropDatabase(names.database);
  });

  it('server span → Fastify spans → ClickHouse and Redis client spans', async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await fetch(`${url}/v1/alerts`, { headers })).status).toBe(200);
    expect((await fetch(`${url}/v1/mutes`, { headers })).status).toBe(200);
    const exit = await api!.stop();
    expect(exit.code, api!.output()).toBe(0);

    const server = (route: string) =>
      otlp.spans.find(
        (span) =>
          span.scope === '@opentelemetry/instrumentation-http' &&
          span.kind === SPAN_KIND.server &&
          span.attributes['url.path'] === route,
      );
    const inTrace = (root: ReceivedSpan | undefined) =>
      otlp.spans.filter((span) => span.traceId === root?.traceId && span !== root);
    // Probes are not traced (start.ts): the /healthz polls above left no trace.
    expect(server('/healthz')).toBeUndefined();

    for (const [route, client] of [
      ['/v1/alerts', '@opentelemetry/instrumentation-http'],
      ['/v1/mutes', '@opentelemetry/instrumentation-ioredis'],
    ] as const) {
      const root = server(route);
      expect(root?.attributes, route).toMatchObject({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
      });
      const spans = inTrace(root);
      const fastify = spans.filter((span) => span.scope === '@fastify/otel');
      // @fastify/otel's request span is a child of the server span, the route's handler of it.
      const request = fastify.find((span) => span.name === 'request');
      expect(request?.parentSpanId, route).toBe(root?.spanId);
      const handler = fastify.find((span) => span.name.startsWith('handler'));
      expect(handler?.parentSpanId, route).toBe(request?.spanId);
      // Hook spans carry a name (the hook's or its plugin's), never a function's source code.
      const hooks = fastify.filter((span) => span.name.startsWith('onRequest'));
      expect(hooks.length, route).toBeGreaterThan(0);
      for (const hook of hooks) expect(hook.name, route).not.toMatch(/[{}()]|=>/);
      // What the handler asks ClickHouse (over http) or Redis: client spans under the handler.
      const calls = spans.filter((span) => span.scope === client && span.kind === SPAN_KIND.client);
      expect(calls.length, `${route}: ${client}`).toBeGreaterThan(0);
      for (const call of calls) expect(call.parentSpanId, route).toBe(handler?.spanId);
    }
  }, 90_000);
});
