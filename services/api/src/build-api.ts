import { QUEUES, type AlertNotification } from '@denyscope/alerts';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import { RedisIncidentStore } from '@denyscope/incidents';
import type { Logger } from '@denyscope/telemetry';
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type onRequestAsyncHookHandler,
} from 'fastify';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { TokenRegistry, type Principal } from './auth.js';
import { API_LIMIT_DEFAULTS, type ApiConfig } from './config.js';
import type { ApiContext } from './context.js';
import {
  badRequest,
  describeIssues,
  forbidden,
  frameworkErrors,
  installErrorHandlers,
  unauthorized,
} from './errors.js';
import { ReportSlots, type ReportConcurrency } from './limits/report-slots.js';
import { registerRateLimits, type RateLimitHooks, type RateLimits } from './limits/rate-limits.js';
import { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { CachedReadiness, type ReadinessCheck } from './readiness.js';
import { defaultReportGenerator, type ReportGenerator } from './reports.js';
import { defineRoute, type Access, type RouteSpec } from './route-table.js';
import { alertRoutes } from './routes/alerts.js';
import { healthRoutes } from './routes/health.js';
import { muteRoutes } from './routes/mutes.js';
import { reportRoutes } from './routes/reports.js';
import { MAX_ID_LENGTH } from './schemas.js';
import { installSecurityHeaders } from './security-headers.js';

export const BODY_LIMIT_BYTES = 16 * 1024;
const API_VERSION = '1.0.0';

export interface ApiDeps {
  clickhouse: ClickHouseClient;
  redis: Redis;
  /** Mutes live under this Redis prefix (config BULLMQ_PREFIX), shared with the detector. */
  bullmqPrefix: string;
  tokens: Pick<ApiConfig, 'adminTokens' | 'accountTokens'>;
  log: Logger;
  /** What /readyz checks; runApi passes Kafka, ClickHouse and Redis. */
  readiness: readonly ReadinessCheck[];
  /** Default: @denyscope/reporter's generateReport. */
  generateReport?: ReportGenerator;
  /** How long the open-incident gauge of /metrics is cached. Default 5 s. */
  metricsCacheMs?: number;
  /** How long one /readyz answer is reused. Default 5 s (READINESS_CACHE_MS). */
  readinessCacheMs?: number;
  /** Rate and report concurrency limits (config API_RATE_LIMIT_*, API_REPORT_CONCURRENCY*). */
  limits?: Partial<RateLimits & ReportConcurrency>;
}

/** Every route of the API, in one table: the Fastify routes and the OpenAPI paths come from it. */
export function routeTable(ctx: ApiContext): RouteSpec[] {
  const routes = [
    ...healthRoutes(ctx),
    ...alertRoutes(ctx),
    ...muteRoutes(ctx),
    ...reportRoutes(ctx),
  ];
  const served: { document?: unknown } = {};
  const openApiRoute = defineRoute({
    method: 'GET',
    url: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    access: 'open',
    schemas: { responses: { 200: { description: 'the document' } } },
    handler: () => Promise.resolve(served.document),
  });
  routes.push(openApiRoute);
  served.document = openApiDocument(routes, API_VERSION);
  return routes;
}

function parseInput<T extends z.ZodType | undefined>(schema: T, value: unknown, where: string) {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(describeIssues(result.error.issues) || `${where}: invalid`);
  return result.data;
}

/**
 * Authorization runs in onRequest, before the body is read and before any query: an account
 * token asking for another account's report gets the same 403 whether that account exists or not,
 * in the same time.
 */
function authorize(
  access: Access,
  tokens: TokenRegistry,
  principals: WeakMap<FastifyRequest, Principal>,
): onRequestAsyncHookHandler {
  return (request) => {
    if (access === 'open') return Promise.resolve();
    const principal = tokens.resolve(request.headers.authorization);
    if (principal === undefined) return Promise.reject(unauthorized());
    principals.set(request, principal);
    if (principal.kind === 'admin') return Promise.resolve();
    const params = request.params as Record<string, string | undefined>;
    if (access === 'own-account' && params.account === principal.accountId) {
      return Promise.resolve();
    }
    return Promise.reject(forbidden());
  };
}

const registeredRoutes = new WeakMap<FastifyInstance, readonly string[]>();

/** `METHOD /url` of every route Fastify registered on an app built by buildApi (HEAD included). */
export function routesOf(app: FastifyInstance): readonly string[] {
  return registeredRoutes.get(app) ?? [];
}

/** The HTTP API (not listening): use `app.inject` in tests, `runApi` to serve. */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: BODY_LIMIT_BYTES,
    // Request IDs in the logs; clients may not choose them.
    requestIdHeader: false,
    // Fastify's default (100) turned IDs of 101-256 characters into a 404; the contract allows
    // 256. find-my-way counts the decoded parameter, so percent-encoding does not shorten it.
    routerOptions: { maxParamLength: MAX_ID_LENGTH },
    frameworkErrors: frameworkErrors(MAX_ID_LENGTH),
  }) as unknown as FastifyInstance;
  installErrorHandlers(app);
  installSecurityHeaders(app);

  const limits = { ...API_LIMIT_DEFAULTS, ...deps.limits };
  const metrics = new ApiMetrics(deps.clickhouse, deps.metricsCacheMs ?? 5_000);
  let alertsQueue: Queue<AlertNotification> | undefined;
  const ctx: ApiContext = {
    clickhouse: deps.clickhouse,
    mutes: new RedisIncidentStore(deps.redis, deps.bullmqPrefix),
    alertsQueue: () =>
      (alertsQueue ??= new Queue<AlertNotification>(QUEUES.alerts, {
        connection: deps.redis,
        prefix: deps.bullmqPrefix,
      })),
    readiness: new CachedReadiness(deps.readiness, deps.log, deps.readinessCacheMs),
    generateReport: deps.generateReport ?? defaultReportGenerator,
    reportSlots: new ReportSlots(limits),
    metrics,
  };
  // The queue shares the caller's Redis connection; closing it leaves that open.
  app.addHook('onClose', async () => {
    await alertsQueue?.close();
  });
  const tokens = new TokenRegistry(deps.tokens);
  const principals = new WeakMap<FastifyRequest, Principal>();

  const registered: string[] = [];
  registeredRoutes.set(app, registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push(`${method} ${route.url}`);
  });

  app.addHook('onResponse', (request, reply, done) => {
    metrics.countRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode);
    done();
  });

  // In a plugin: the rate limiter is a plugin too, and its limiters exist once it is loaded.
  // Named: Fastify names the plugin, and so its hooks' trace spans, after the function.
  void app.register(async function routes(scope) {
    const rateLimits = await registerRateLimits(scope, limits, principals);
    for (const route of routeTable(ctx)) addRoute(scope, route, tokens, principals, rateLimits);
  });
  return app;
}

function addRoute(
  app: FastifyInstance,
  route: RouteSpec,
  tokens: TokenRegistry,
  principals: WeakMap<FastifyRequest, Principal>,
  rateLimits: RateLimitHooks,
): void {
  const access = authorize(route.access, tokens, principals);
  app.route({
    method: route.method,
    url: route.url,
    onRequest: route.probe ? [access] : [rateLimits.byAddress, access, rateLimits.byToken],
    handler: async (request, reply) => {
      const { schemas } = route;
      const input = {
        params: parseInput(schemas.params, request.params, 'params'),
        query: parseInput(schemas.query, request.query, 'query'),
        body: parseInput(schemas.body, request.body, 'body'),
        principal: principals.get(request),
        request,
        reply,
      };
      return route.handler(input);
    },
  });
}
