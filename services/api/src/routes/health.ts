import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { defineRoute, type RouteSpec } from '../route-table.js';

const readyBody = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});

export function healthRoutes(ctx: ApiContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness: the process answers (no dependency is checked)',
      access: 'open',
      probe: true,
      schemas: {
        responses: { 200: { description: 'alive', schema: z.object({ status: z.literal('ok') }) } },
      },
      handler: () => Promise.resolve({ status: 'ok' }),
    }),
    defineRoute({
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: Kafka, ClickHouse and Redis answer (checked at most every 5 s)',
      access: 'open',
      probe: true,
      schemas: {
        responses: {
          200: { description: 'every dependency answers', schema: readyBody },
          503: { description: 'some dependency does not (its check is down)', schema: readyBody },
        },
      },
      async handler({ reply }) {
        const result = await ctx.readiness.current();
        reply.code(result.ready ? 200 : 503);
        return { status: result.ready ? 'ready' : 'not_ready', checks: result.checks };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics (open: bind the API to a private address)',
      access: 'open',
      schemas: {
        responses: {
          200: { description: 'Prometheus text format 0.0.4', contentTypes: ['text/plain'] },
        },
      },
      async handler({ reply }) {
        reply.type('text/plain; version=0.0.4; charset=utf-8');
        return ctx.metrics.render();
      },
    }),
  ];
}
