import { InvalidReportRequestError } from '@denyscope/reports';
import { DURATION_MESSAGE } from '@denyscope/events';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { badRequest } from '../errors.js';
import { formatFromAccept } from '../reports.js';
import { defineRoute, problemResponse, type RouteSpec } from '../route-table.js';
import { DAY_MS, duration, identifier, inTimeRange, time, TIME_RANGE_MESSAGE } from '../schemas.js';

const MAX_RANGE_MS = 366 * DAY_MS;

// zod returns a union's only branch that did not abort with that branch's own message: the
// date-time check must abort like the duration's pattern, so that text that is neither gets the
// union's message instead of "expected an RFC 3339 date-time".
const sinceDateTime = z.iso.datetime({ offset: true, abort: true });

const sinceSchema = z
  .union([duration(MAX_RANGE_MS, '366d'), sinceDateTime], {
    message: `${DURATION_MESSAGE}, or an RFC 3339 date-time`,
  })
  // After the union: inside it, a time out of range would read as "not a duration or a date-time".
  .refine((since) => typeof since === 'number' || inTimeRange(Date.parse(since)), {
    message: TIME_RANGE_MESSAGE,
  });

export function reportRoutes(ctx: ApiContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/reports/:account',
      summary:
        "One account's denial report; format by ?format= or the Accept header (default json)",
      access: 'own-account',
      schemas: {
        params: z.strictObject({ account: identifier }),
        query: z.strictObject({
          // prefault, not default: zod 4 returns a default as the output without parsing it.
          since: sinceSchema.prefault('7d'),
          until: time.optional(),
          format: z
            .enum(['html', 'json', 'md'], { message: 'expected html, json or md' })
            .optional(),
        }),
        responses: {
          200: {
            description: 'the report',
            contentTypes: ['application/json', 'text/html', 'text/markdown'],
          },
          400: problemResponse('bad range or format'),
          403: problemResponse('not this token’s account'),
          429: problemResponse(
            'over a rate limit (`rate_limited`), or too many reports at once for this token or ' +
              'in all (`too_many_reports`, API_REPORT_CONCURRENCY*); see Retry-After',
          ),
        },
      },
      async handler({ params, query, principal, request, reply }) {
        const until = query.until === undefined ? new Date() : new Date(query.until);
        const since =
          typeof query.since === 'number'
            ? new Date(until.getTime() - query.since)
            : new Date(query.since);
        // A duration before an early `until` can reach back before the range.
        if (!inTimeRange(since.getTime())) throw badRequest(`since: ${TIME_RANGE_MESSAGE}`);
        if (since >= until) throw badRequest('since: expected a time before until');
        if (until.getTime() - since.getTime() > MAX_RANGE_MS) {
          throw badRequest('since: expected a range of at most 366 days');
        }
        const format = query.format ?? formatFromAccept(request.headers.accept);
        // Only once the request is known to be valid: a 400 must not take a slot.
        const release = ctx.reportSlots.acquire(principal?.label ?? 'anonymous');
        let report;
        try {
          report = await ctx.generateReport(
            ctx.clickhouse,
            { accountId: params.account, since, until },
            format,
          );
        } catch (error) {
          if (error instanceof InvalidReportRequestError) throw badRequest(error.message);
          throw error;
        } finally {
          release();
        }
        reply.header('vary', 'Accept').type(report.contentType);
        return report.body;
      },
    }),
  ];
}
