import { rows, stackEnv } from '@denyscope/testkit';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { clickHouseCheck, kafkaCheck, redisCheck } from '../src/readiness.js';
import { STACK_ADMIN_TOKEN, useStackApi } from './stack-api.js';

const ACCT_1 = 'acct1-token-0123456789abcdef';
const ACCT_2 = 'acct2-token-0123456789abcdef';
const admin = { authorization: `Bearer ${STACK_ADMIN_TOKEN}` };
const acct1 = { authorization: `Bearer ${ACCT_1}` };

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/** An RFC 9457 answer of `status`, with the fields of the earlier format (`error`, `message`). */
function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
  error: string,
  instance: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe(PROBLEM_JSON);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({
    type: `https://denyscope.dev/problems/${error}`,
    status,
    error,
    instance,
    detail: body.message,
  });
  expect(typeof body.title).toBe('string');
  expect(typeof body.message).toBe('string');
}

const t = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function alertRow(over: Record<string, unknown>) {
  return {
    alert_id: 'a',
    version: 1,
    transition: 'opened',
    rule: 'id-enumeration',
    severity: 'medium',
    status: 'firing',
    key_id: '',
    account_id: '',
    client_ip: '',
    env: 'production',
    window_start: t('2026-11-20T10:00:00Z'),
    window_end: t('2026-11-20T10:05:00Z'),
    first_seen: t('2026-11-20T10:00:00Z'),
    last_seen: t('2026-11-20T10:05:00Z'),
    summary: 's',
    evidence: '{}',
    runbook: 'docs/runbooks/id-enumeration.md',
    muted: 0,
    note: '',
    ...over,
  };
}

describe('HTTP API against ClickHouse and Redis', () => {
  const stack = useStackApi('api');
  let app: FastifyInstance;

  beforeAll(async () => {
    await stack.clickhouse().insert({
      table: 'alerts',
      format: 'JSONEachRow',
      values: [
        alertRow({
          alert_id: 'enum-k1',
          key_id: 'k1',
          account_id: 'acct_1',
          evidence: JSON.stringify({ distinct_ids: 40 }),
          summary: 'k1 denied on 40 IDs',
        }),
        alertRow({
          alert_id: 'enum-k1',
          version: 2,
          transition: 'escalated',
          severity: 'high',
          last_seen: t('2026-11-20T10:09:00Z'),
          key_id: 'k1',
          account_id: 'acct_1',
          evidence: JSON.stringify({ distinct_ids: 212 }),
          summary: 'k1 denied on 212 IDs',
        }),
        alertRow({
          alert_id: 'tenant-k2',
          rule: 'cross-tenant',
          severity: 'critical',
          status: 'resolved',
          transition: 'resolved',
          key_id: 'k2',
          account_id: 'acct_2',
          first_seen: t('2026-11-21T08:00:00Z'),
          last_seen: t('2026-11-21T08:30:00Z'),
        }),
        alertRow({
          alert_id: 'dist-ip',
          rule: 'distributed-enumeration',
          client_ip: '10.0.0.9',
          first_seen: t('2026-11-22T08:00:00Z'),
          last_seen: t('2026-11-22T08:30:00Z'),
        }),
      ],
    });
    app = stack.api({
      tokens: {
        adminTokens: [STACK_ADMIN_TOKEN],
        accountTokens: [
          { accountId: 'acct_1', token: ACCT_1 },
          { accountId: 'acct_2', token: ACCT_2 },
        ],
      },
      readiness: [
        kafkaCheck({ brokers: stackEnv.KAFKA_BROKERS.split(','), clientId: 'test' }),
        clickHouseCheck(stack.clickhouse()),
        redisCheck(stack.redis()),
      ],
      metricsCacheMs: 0,
    });
    await app.ready();
  });

  const get = (url: string, headers: Record<string, string> = admin) =>
    app.inject({ method: 'GET', url, headers });

  it('enforces the auth matrix before touching any data', async () => {
    const none = await app.inject({ method: 'GET', url: '/v1/alerts' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expectProblem(none, 401, 'unauthorized', '/v1/alerts');
    const wrong = await get('/v1/alerts', { authorization: `Bearer ${STACK_ADMIN_TOKEN}x` });
    expect(wrong.statusCode).toBe(401);
    expect((await get('/v1/alerts')).statusCode).toBe(200);
    expect((await get('/v1/alerts', acct1)).statusCode).toBe(403);
    expect((await get('/v1/mutes', acct1)).statusCode).toBe(403);
    const ack = await app.inject({
      method: 'POST',
      url: '/v1/alerts/enum-k1/ack',
      headers: acct1,
      payload: {},
    });
    expect(ack.statusCode).toBe(403);

    expect((await get('/v1/reports/acct_1', acct1)).statusCode).toBe(200);
    expect((await get('/v1/reports/acct_2')).statusCode).toBe(200);
    const existing = await get('/v1/reports/acct_2', acct1);
    const unknown = await get('/v1/reports/no_such_account', acct1);
    expect(existing.statusCode).toBe(403);
    expect(unknown.statusCode).toBe(403);
    // The same problem but for `instance`, which only echoes the path the client sent.
    const withoutInstance = (body: string) => ({ ...(JSON.parse(body) as object), instance: '' });
    expect(withoutInstance(unknown.body)).toEqual(withoutInstance(existing.body));
    expect(unknown.json()).toMatchObject({ instance: '/v1/reports/no_such_account' });
    expect(existing.json()).toMatchObject({
      type: 'https://denyscope.dev/problems/forbidden',
      status: 403,
      error: 'forbidden',
      instance: '/v1/reports/acct_2',
    });
    expect(unknown.headers['content-type']).toBe(existing.headers['content-type']);
    expect(existing.headers['content-type']).toBe(PROBLEM_JSON);

    for (const open of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      expect((await get(open, {})).statusCode, open).toBe(200);
    }
  });

  it('lists incidents with filters', async () => {
    const ids = async (query: string) =>
      (await get(`/v1/alerts${query}`))
        .json<{ alerts: { alert_id: string }[] }>()
        .alerts.map((a) => a.alert_id);
    expect(await ids('')).toEqual(['dist-ip', 'tenant-k2', 'enum-k1']);
    expect(await ids('?rule=cross-tenant')).toEqual(['tenant-k2']);
    expect(await ids('?status=firing')).toEqual(['dist-ip', 'enum-k1']);
    expect(await ids('?severity=high')).toEqual(['enum-k1']);
    expect(await ids('?key=k2')).toEqual(['tenant-k2']);
    expect(await ids('?account=acct_1')).toEqual(['enum-k1']);
    expect(await ids('?since=2026-11-21T00:00:00Z')).toEqual(['dist-ip', 'tenant-k2']);
    expect(await ids('?until=2026-11-21T09:00:00%2B01:00')).toEqual(['tenant-k2', 'enum-k1']);
    expect(await ids('?limit=1')).toEqual(['dist-ip']);
    expect(await ids(`?key=${encodeURIComponent("k1' OR 1=1 --")}`)).toEqual([]);

    const [first] = (await get('/v1/alerts?key=k1')).json<{ alerts: object[] }>().alerts;
    expect(first).toMatchObject({
      alert_id: 'enum-k1',
      severity: 'high',
      version: 2,
      acknowledged: false,
      muted: false,
      first_seen: '2026-11-20T10:00:00.000Z',
      last_seen: '2026-11-20T10:09:00.000Z',
    });
  });

  it('shows one incident with every state change, and acknowledges it', async () => {
    const detail = await get('/v1/alerts/enum-k1');
    expect(detail.statusCode).toBe(200);
    const body = detail.json<{
      alert: { severity: string };
      changes: { transition: string; evidence: unknown }[];
    }>();
    expect(body.alert.severity).toBe('high');
    expect(body.changes.map((c) => [c.transition, c.evidence])).toEqual([
      ['opened', { distinct_ids: 40 }],
      ['escalated', { distinct_ids: 212 }],
    ]);
    const unknown = await get('/v1/alerts/nope');
    expect(unknown.statusCode).toBe(404);
    expectProblem(unknown, 404, 'not_found', '/v1/alerts/nope');
    expect(unknown.json()).toMatchObject({ detail: 'no incident nope' });

    const ack = await app.inject({
      method: 'POST',
      url: '/v1/alerts/enum-k1/ack',
      headers: admin,
      payload: { note: 'looking into it' },
    });
    expect(ack.statusCode).toBe(200);
    // The test's incidents exist in ClickHouse only (no firing state in Redis): nothing to page.
    expect(ack.json()).toEqual({
      alert_id: 'enum-k1',
      acknowledged: true,
      by: 'admin-1',
      paged: false,
    });
    const [row] = await rows<{ note: string }>(
      stack.clickhouse(),
      "SELECT note FROM alerts FINAL WHERE alert_id = 'enum-k1' AND version = 0",
    );
    expect(row?.note).toBe('admin-1: looking into it');
    const listed = (await get('/v1/alerts?key=k1')).json<{ alerts: { acknowledged: boolean }[] }>();
    expect(listed.alerts[0]?.acknowledged).toBe(true);
    const bare = await app.inject({
      method: 'POST',
      url: '/v1/alerts/tenant-k2/ack',
      headers: admin,
    });
    expect(bare.statusCode).toBe(200);
    const missing = await app.inject({
      method: 'POST',
      url: '/v1/alerts/nope/ack',
      headers: admin,
      payload: {},
    });
    expect(missing.statusCode).toBe(404);
    expectProblem(missing, 404, 'not_found', '/v1/alerts/nope/ack');
  });

  it('creates, lists and deletes mutes', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/mutes',
      headers: admin,
      payload: { rule: 'id-enumeration', key_id: 'k&1', duration: '24h', reason: 'pen test' },
    });
    expect(created.statusCode).toBe(201);
    const until = Date.parse(created.json<{ until: string }>().until);
    expect(Math.abs(until - Date.now() - 86_400_000)).toBeLessThan(60_000);
    const byIp = await app.inject({
      method: 'POST',
      url: '/v1/mutes',
      headers: admin,
      payload: {
        rule: 'distributed-enumeration',
        client_ip: '10.0.0.9',
        until: new Date(Date.now() + 3_600_000).toISOString(),
        reason: 'office NAT',
      },
    });
    expect(byIp.statusCode).toBe(201);

    const list = (await get('/v1/mutes')).json<{ mutes: Record<string, string>[] }>().mutes;
    expect(list).toHaveLength(2);
    expect(list).toContainEqual(
      expect.objectContaining({ rule: 'id-enumeration', key_id: 'k&1', by: 'admin-1' }),
    );
    expect(list).toContainEqual(
      expect.objectContaining({ rule: 'distributed-enumeration', client_ip: '10.0.0.9' }),
    );

    const del = (query: string) =>
      app.inject({ method: 'DELETE', url: `/v1/mutes?${query}`, headers: admin });
    expect((await del('rule=id-enumeration&key_id=k%261')).statusCode).toBe(200);
    const gone = await del('rule=id-enumeration&key_id=k%261');
    expect(gone.statusCode).toBe(404);
    expectProblem(gone, 404, 'not_found', '/v1/mutes');
    expect(gone.json()).toMatchObject({ detail: 'no such mute' });
    expect((await del('rule=distributed-enumeration&client_ip=10.0.0.9')).statusCode).toBe(200);
    expect((await get('/v1/mutes')).json<{ mutes: unknown[] }>().mutes).toEqual([]);
  });

  it('answers 400 with the field and the problem for bad input', async () => {
    const post = (payload: unknown) =>
      app.inject({ method: 'POST', url: '/v1/mutes', headers: admin, payload: payload as object });
    const base = { rule: 'id-enumeration', key_id: 'k1', duration: '24h', reason: 'x' };
    type Answer = { statusCode: number; headers: Record<string, unknown>; json: () => unknown };
    const cases: [Promise<Answer>, RegExp][] = [
      [post({ ...base, duration: '31d' }), /^duration: expected a duration/],
      [post({ ...base, duration: 'soon' }), /^duration: expected a duration like/],
      [post({ ...base, rule: 'made-up' }), /^rule: expected one of/],
      [post({ ...base, extra: 1 }), /Unrecognized key.*extra/],
      [post({ ...base, client_ip: '1.2.3.4' }), /^key_id: expected exactly one/],
      [post({ ...base, duration: undefined }), /^duration: expected exactly one/],
      [
        post({ ...base, duration: undefined, until: '2026-13-01T00:00:00Z' }),
        /^until: expected an RFC 3339/,
      ],
      [get('/v1/alerts?since=yesterday'), /^since: expected an RFC 3339/],
      [get('/v1/alerts?limit=100000'), /^limit: expected a whole number from 1 to 1000/],
      [get('/v1/alerts?limit=abc'), /^limit: /],
      [get('/v1/alerts?rule=nope'), /^rule: expected one of/],
      [get('/v1/alerts?colour=red'), /colour/],
      [
        get('/v1/alerts?since=2026-11-22T00:00:00Z&until=2026-11-21T00:00:00Z'),
        /^since: expected a time before until/,
      ],
      [get('/v1/reports/acct_1?since=forever'), /^since: /],
      [get('/v1/reports/acct_1?format=pdf'), /^format: expected html, json or md/],
      [
        app.inject({
          method: 'POST',
          url: '/v1/mutes',
          headers: { ...admin, 'content-type': 'application/json' },
          payload: '{"rule":',
        }),
        /JSON/i,
      ],
    ];
    for (const [pending, message] of cases) {
      const response = await pending;
      const body = response.json() as { error: string; message: string };
      expect(response.statusCode, body.message).toBe(400);
      expect(body.error).toBe('bad_request');
      expect(body.message).toMatch(message);
      expect(body).toMatchObject({ title: 'Bad request', status: 400, detail: body.message });
      expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    }
    const huge = await post({ ...base, reason: 'x'.repeat(20_000) });
    expect(huge.statusCode).toBe(413);
    expectProblem(huge, 413, 'payload_too_large', '/v1/mutes');
  });

  it('reports are served in all three formats, by ?format= and by Accept', async () => {
    const byFormat = {
      json: /application\/json/,
      html: /text\/html/,
      md: /text\/markdown/,
    } as const;
    for (const [format, type] of Object.entries(byFormat)) {
      const response = await get(`/v1/reports/acct_1?format=${format}&since=30d`, acct1);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toMatch(type);
    }
    const accepts = {
      'text/html': /text\/html/,
      'application/json': /application\/json/,
      'text/markdown': /text\/markdown/,
    };
    for (const [accept, type] of Object.entries(accepts)) {
      const response = await get('/v1/reports/acct_1?since=2026-11-01T00:00:00Z', {
        ...acct1,
        accept,
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toMatch(type);
    }
  });

  it('is ready with the stack up, and exposes metrics', async () => {
    const ready = await get('/readyz', {});
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { kafka: 'up', clickhouse: 'up', redis: 'up' },
    });
    const metrics = await get('/metrics', {});
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(metrics.body).toMatch(
      /^denyscope_api_http_requests_total\{route="\/v1\/alerts",method="GET",code="200"\} \d+$/m,
    );
    expect(metrics.body).toMatch(/^denyscope_open_incidents\{severity="high"\} 1$/m);
    expect(metrics.body).toMatch(/^denyscope_open_incidents\{severity="medium"\} 1$/m);
    expect(metrics.body).toMatch(/^denyscope_open_incidents\{severity="critical"\} 0$/m);
    expect(metrics.body).not.toMatch(/k1|acct_1/);
  });

  it('answers 503 naming the part that is down', async () => {
    const down = stack.api({
      readiness: [
        kafkaCheck({ brokers: ['127.0.0.1:1'], clientId: 'test' }),
        clickHouseCheck(stack.clickhouse()),
      ],
    });
    const response = await down.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'not_ready',
      checks: { clickhouse: 'up', kafka: 'down' },
    });
  });
});
