import { acknowledgeIncident, listAlerts, type AlertSummary } from '@denyscope/incidents';
import { serverCapabilities, sqlValues } from '@denyscope/clickhouse';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { defineRoute, problemResponse, type RouteSpec } from '../route-table.js';
import {
  alertStatus,
  identifier,
  isoOfUnix,
  ruleId,
  severity,
  time,
  unixSeconds,
} from '../schemas.js';

const listQuery = z.strictObject({
  rule: ruleId.optional(),
  status: alertStatus.optional(),
  severity: severity.optional(),
  key: identifier.optional(),
  account: identifier.optional(),
  since: time.optional(),
  until: time.optional(),
  limit: z.coerce
    .number({ message: 'expected a whole number from 1 to 1000' })
    .int({ message: 'expected a whole number from 1 to 1000' })
    .min(1, { message: 'expected a whole number from 1 to 1000' })
    .max(1000, { message: 'expected a whole number from 1 to 1000' })
    .default(100),
});

const alertView = z.object({
  alert_id: z.string(),
  rule: z.string(),
  severity: z.string(),
  status: z.string(),
  key_id: z.string(),
  account_id: z.string(),
  client_ip: z.string(),
  /**
   * pipeline-health only: the part of denyscope the incident is about (`partition:<topic>/<n>`,
   * `rule:<id>`); such incidents have no key or address. Empty for the security rules.
   */
  component: z.string(),
  env: z.string(),
  summary: z.string(),
  version: z.number(),
  muted: z.boolean(),
  acknowledged: z.boolean(),
  first_seen: z.string(),
  last_seen: z.string(),
});

const changeView = z.object({
  version: z.number(),
  transition: z.string(),
  severity: z.string(),
  status: z.string(),
  window_start: z.string(),
  window_end: z.string(),
  first_seen: z.string(),
  last_seen: z.string(),
  summary: z.string(),
  evidence: z.unknown(),
  runbook: z.string(),
  muted: z.boolean(),
  note: z.string(),
  recorded_at: z.string(),
});

const idParams = z.strictObject({ id: identifier });

function toView(row: AlertSummary): z.output<typeof alertView> {
  return {
    alert_id: row.alert_id,
    rule: row.rule,
    severity: row.severity,
    status: row.status,
    key_id: row.key_id,
    account_id: row.account_id,
    client_ip: row.client_ip,
    component: row.component,
    env: row.env,
    summary: row.summary,
    version: Number(row.version),
    muted: Number(row.muted) === 1,
    acknowledged: Number(row.acknowledged) === 1,
    first_seen: isoOfUnix(Number(row.first_seen_unix)),
    last_seen: isoOfUnix(Number(row.last_seen_unix)),
  };
}

interface ChangeRow {
  version: number;
  transition: string;
  severity: string;
  status: string;
  ws: number;
  we: number;
  fs: number;
  ls: number;
  summary: string;
  evidence: string;
  runbook: string;
  muted: number;
  note: string;
  ra: number;
}

function parseEvidence(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Every recorded state change of one incident, oldest first (acknowledgements included). */
async function changesOf(ctx: ApiContext, alertId: string) {
  // Aliases differ from the column names (18.16 alias shadowing; see alert-history.ts). The ID is
  // the request's: a query parameter where the server has them (sqlValues).
  const v = sqlValues(await serverCapabilities(ctx.clickhouse));
  const result = await ctx.clickhouse.query({
    query: `
      SELECT version, transition, severity, status,
        toUInt32(window_start) AS ws, toUInt32(window_end) AS we,
        toUInt32(first_seen) AS fs, toUInt32(last_seen) AS ls,
        summary, evidence, runbook, muted, note, toUInt32(recorded_at) AS ra
      FROM alerts FINAL
      WHERE alert_id = ${v.string(alertId)}
      ORDER BY ra, version`,
    query_params: v.params,
    format: 'JSONEachRow',
  });
  const rows = await result.json<ChangeRow>();
  return rows.map((row) => ({
    version: Number(row.version),
    transition: row.transition,
    severity: row.severity,
    status: row.status,
    window_start: isoOfUnix(Number(row.ws)),
    window_end: isoOfUnix(Number(row.we)),
    first_seen: isoOfUnix(Number(row.fs)),
    last_seen: isoOfUnix(Number(row.ls)),
    summary: row.summary,
    evidence: parseEvidence(row.evidence),
    runbook: row.runbook,
    muted: Number(row.muted) === 1,
    note: row.note,
    recorded_at: isoOfUnix(Number(row.ra)),
  }));
}

export function alertRoutes(ctx: ApiContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/alerts',
      summary: 'Incidents, latest state each, newest first',
      access: 'admin',
      schemas: {
        query: listQuery,
        responses: {
          200: { description: 'incidents', schema: z.object({ alerts: z.array(alertView) }) },
          400: problemResponse('bad filter'),
        },
      },
      async handler({ query }) {
        const since = query.since === undefined ? undefined : unixSeconds(query.since);
        const until = query.until === undefined ? undefined : unixSeconds(query.until);
        if (since !== undefined && until !== undefined && since > until) {
          throw badRequest('since: expected a time before until');
        }
        const rows = await listAlerts(ctx.clickhouse, {
          rule: query.rule,
          status: query.status,
          severity: query.severity,
          keyId: query.key,
          accountId: query.account,
          sinceUnix: since,
          untilUnix: until,
          limit: query.limit,
        });
        return { alerts: rows.map(toView) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/alerts/:id',
      summary: 'One incident: its latest state and every state change, evidence parsed',
      access: 'admin',
      schemas: {
        params: idParams,
        responses: {
          200: {
            description: 'the incident',
            schema: z.object({ alert: alertView, changes: z.array(changeView) }),
          },
          404: problemResponse('no such incident'),
        },
      },
      async handler({ params }) {
        const [latest] = await listAlerts(ctx.clickhouse, { alertId: params.id, limit: 1 });
        if (latest === undefined) throw notFound(`no incident ${params.id}`);
        return { alert: toView(latest), changes: await changesOf(ctx, params.id) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/alerts/:id/ack',
      summary: 'Acknowledge an incident (recorded with the token label and the note)',
      access: 'admin',
      schemas: {
        params: idParams,
        body: z
          .strictObject({
            note: z.string().max(1000, { message: 'expected at most 1000 characters' }).optional(),
          })
          .optional(),
        responses: {
          200: {
            description:
              'acknowledged; `paged` says whether a firing page was passed on to PagerDuty ' +
              '(Events v2 acknowledge: it stops escalating)',
            schema: z.object({
              alert_id: z.string(),
              acknowledged: z.literal(true),
              by: z.string(),
              paged: z.boolean(),
            }),
          },
          404: problemResponse('no such incident'),
        },
      },
      async handler({ params, body, principal }) {
        const by = principal?.label ?? 'unknown';
        const outcome = await acknowledgeIncident(
          { clickhouse: ctx.clickhouse, store: ctx.mutes, alertsQueue: ctx.alertsQueue() },
          params.id,
          by,
          body?.note ?? '',
        );
        if (!outcome.found) throw notFound(`no incident ${params.id}`);
        return { alert_id: params.id, acknowledged: true, by, paged: outcome.passedOn };
      },
    }),
  ];
}
