import { subjectKeyOf } from '@denyscope/detections';
import { RedisIncidentStore } from '@denyscope/incidents';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_ADMIN_TOKEN, useStackApi } from './stack-api.js';

const admin = { authorization: `Bearer ${STACK_ADMIN_TOKEN}` };
const t = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const PARTITION = 'partition:api-logs/3';
const OTHER = 'partition:api-logs/4';

/** A pipeline-health state change as the detector records it: no key, no address, a component. */
function healthRow(alertId: string, component: string) {
  return {
    alert_id: alertId,
    version: 1,
    transition: 'opened',
    rule: 'pipeline-health',
    severity: 'low',
    status: 'firing',
    key_id: '',
    account_id: '',
    client_ip: '',
    component,
    env: 'denyscope',
    window_start: t('2026-12-07T10:00:00Z'),
    window_end: t('2026-12-07T10:00:00Z'),
    first_seen: t('2026-12-07T10:00:00Z'),
    last_seen: t('2026-12-07T10:05:00Z'),
    summary: `${component} delivered event times ahead of wall time`,
    evidence: JSON.stringify({ ahead_seconds: 7200 }),
    runbook: 'docs/runbooks/pipeline-health.md',
    muted: 0,
    note: '',
  };
}

describe('API: pipeline-health incidents name their component; mutes by component', () => {
  const stack = useStackApi('apihealth');
  let app: FastifyInstance;

  beforeAll(async () => {
    await stack.clickhouse().insert({
      table: 'alerts',
      format: 'JSONEachRow',
      values: [healthRow('health-p3', PARTITION), healthRow('health-p4', OTHER)],
    });
    app = stack.api();
    await app.ready();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: admin });

  it('lists and shows the component, and documents it in the OpenAPI schema', async () => {
    const listed = (await get('/v1/alerts?rule=pipeline-health')).json<{
      alerts: { alert_id: string; component: string; key_id: string }[];
    }>().alerts;
    expect(listed.map((a) => [a.alert_id, a.component, a.key_id]).sort()).toEqual([
      ['health-p3', PARTITION, ''],
      ['health-p4', OTHER, ''],
    ]);
    const one = (await get('/v1/alerts/health-p3')).json<{ alert: { component: string } }>();
    expect(one.alert.component).toBe(PARTITION);

    const doc = (await get('/openapi.json')).json<{
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    }>();
    const schema = JSON.stringify(doc.paths['/v1/alerts']?.get.responses['200']);
    expect(schema).toContain('"component"');
  });

  it('mutes one component of pipeline-health, not the others and not the rule', async () => {
    const post = (payload: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/v1/mutes', headers: admin, payload });
    const created = await post({
      rule: 'pipeline-health',
      component: PARTITION,
      duration: '4h',
      reason: 'gateway 3 clock being fixed',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ rule: 'pipeline-health', component: PARTITION });
    const mutes = (await get('/v1/mutes')).json<{ mutes: Record<string, string>[] }>().mutes;
    expect(mutes).toEqual([
      expect.objectContaining({ rule: 'pipeline-health', component: PARTITION }),
    ]);

    // The detector looks mutes up by (rule, subject key) for each state change.
    const store = new RedisIncidentStore(stack.redis(), stack.prefix);
    const now = new Date();
    expect(
      await store.activeMute('pipeline-health', subjectKeyOf({ component: PARTITION }), now),
    ).not.toBeNull();
    expect(
      await store.activeMute('pipeline-health', subjectKeyOf({ component: OTHER }), now),
    ).toBeNull();

    // A component is pipeline-health's subject only, and exactly one subject is named.
    const wrongRule = await post({
      rule: 'id-enumeration',
      component: PARTITION,
      duration: '1h',
      reason: 'x',
    });
    expect(wrongRule.statusCode).toBe(400);
    expect(wrongRule.json<{ message: string }>().message).toMatch(
      /^component: expected component only with rule pipeline-health/,
    );
    const two = await post({
      rule: 'pipeline-health',
      component: PARTITION,
      key_id: 'k1',
      duration: '1h',
      reason: 'x',
    });
    expect(two.statusCode).toBe(400);

    const del = (query: string) =>
      app.inject({ method: 'DELETE', url: `/v1/mutes?${query}`, headers: admin });
    const query = `rule=pipeline-health&component=${encodeURIComponent(PARTITION)}`;
    expect((await del(query)).statusCode).toBe(200);
    expect((await del(query)).statusCode).toBe(404);
  });
});
