import { subjectKeyOf, type Subject } from '@denyscope/detections';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { defineRoute, problemResponse, type RouteSpec } from '../route-table.js';
import { DAY_MS, duration, identifier, rfc3339, ruleId } from '../schemas.js';

const MAX_MUTE_MS = 30 * DAY_MS;

/** The subject fields a mute can name: a key, an address, or a pipeline-health component. */
interface SubjectFields {
  rule: string;
  key_id?: string | undefined;
  client_ip?: string | undefined;
  component?: string | undefined;
}

/**
 * Exactly one of key_id, client_ip and component (as `denyscope alerts mute`). A component
 * (`partition:<topic>/<n>`, `rule:<id>`) is the subject of pipeline-health incidents only: muting
 * one partition's operational alert leaves every other component, and every security rule, loud.
 */
function oneSubject(value: SubjectFields, ctx: z.RefinementCtx) {
  const given = [value.key_id, value.client_ip, value.component].filter((v) => v !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['key_id'],
      message: 'expected exactly one of key_id, client_ip and component',
    });
  } else if (value.component !== undefined && value.rule !== 'pipeline-health') {
    ctx.addIssue({
      code: 'custom',
      path: ['component'],
      message: 'expected component only with rule pipeline-health',
    });
  }
}

const subjectOf = (value: SubjectFields) =>
  subjectKeyOf(
    value.key_id !== undefined
      ? { key_id: value.key_id }
      : value.component !== undefined
        ? { component: value.component }
        : { client_ip: value.client_ip ?? '' },
  );

const createBody = z
  .strictObject({
    rule: ruleId,
    key_id: identifier.optional(),
    client_ip: identifier.optional(),
    component: identifier.optional(),
    duration: duration(MAX_MUTE_MS, '30d').optional(),
    until: rfc3339.optional(),
    reason: z
      .string({ message: 'expected a string' })
      .min(1, { message: 'expected a non-empty reason' })
      .max(500, { message: 'expected at most 500 characters' }),
  })
  .superRefine((value, ctx) => {
    oneSubject(value, ctx);
    if ((value.duration === undefined) === (value.until === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: 'expected exactly one of duration and until',
      });
    } else if (value.until !== undefined) {
      const ms = new Date(value.until).getTime() - Date.now();
      if (ms <= 0 || ms > MAX_MUTE_MS) {
        ctx.addIssue({
          code: 'custom',
          path: ['until'],
          message: 'expected a time in the future, at most 30 days from now',
        });
      }
    }
  });

const deleteQuery = z
  .strictObject({
    rule: ruleId,
    key_id: identifier.optional(),
    client_ip: identifier.optional(),
    component: identifier.optional(),
  })
  .superRefine(oneSubject);

const muteView = z.object({
  rule: z.string(),
  key_id: z.string().optional(),
  client_ip: z.string().optional(),
  component: z.string().optional(),
  reason: z.string(),
  until: z.string(),
  by: z.string(),
});

/** `key_id=a%26b` → `{ key_id: 'a&b' }` (the inverse of subjectKeyOf). */
function parseSubjectKey(subjectKey: string): Subject {
  const subject: Record<string, string> = {};
  for (const part of subjectKey.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) subject[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
  }
  return subject;
}

export function muteRoutes(ctx: ApiContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/mutes',
      summary: 'Active mutes',
      access: 'admin',
      schemas: {
        query: z.strictObject({}),
        responses: {
          200: { description: 'mutes', schema: z.object({ mutes: z.array(muteView) }) },
        },
      },
      async handler() {
        const mutes = await ctx.mutes.listMutes();
        return {
          mutes: mutes
            .map((mute) => ({
              rule: mute.rule,
              ...parseSubjectKey(mute.subjectKey),
              reason: mute.reason,
              until: mute.until,
              by: mute.by,
            }))
            .sort((a, b) => a.until.localeCompare(b.until)),
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/mutes',
      summary:
        'Mute one rule for one subject: a key, an address or a pipeline-health component (incidents are still recorded, not notified)',
      access: 'admin',
      schemas: {
        body: createBody,
        responses: {
          201: { description: 'the mute', schema: muteView },
          400: problemResponse('bad input'),
        },
      },
      async handler({ body, principal, reply }) {
        const until =
          body.until !== undefined
            ? new Date(body.until).toISOString()
            : new Date(Date.now() + (body.duration ?? 0)).toISOString();
        const subjectKey = subjectOf(body);
        const by = principal?.label ?? 'unknown';
        await ctx.mutes.mute({ rule: body.rule, subjectKey, reason: body.reason, until, by });
        reply.code(201);
        return { rule: body.rule, ...parseSubjectKey(subjectKey), reason: body.reason, until, by };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/mutes',
      summary: 'End a mute',
      access: 'admin',
      schemas: {
        query: deleteQuery,
        responses: {
          200: { description: 'ended', schema: z.object({ removed: z.literal(true) }) },
          404: problemResponse('no such mute'),
        },
      },
      async handler({ query }) {
        const removed = await ctx.mutes.unmute(query.rule, subjectOf(query));
        if (!removed) throw notFound('no such mute');
        return { removed: true };
      },
    }),
  ];
}
