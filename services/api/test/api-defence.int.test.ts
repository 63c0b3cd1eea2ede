import { stackEnv } from '@denyscope/testkit';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ApiDeps } from '../src/build-api.js';
import { clickHouseCheck, kafkaCheck, redisCheck, type ReadinessCheck } from '../src/readiness.js';
import type { ReportGenerator } from '../src/reports.js';
import { STACK_ADMIN_TOKEN, useStackApi } from './stack-api.js';

// Issue 11 item 7: the API must not be the way to flood, stall or probe denyscope. Each `it` here
// reproduces one finding of that review (each failed on the main of 2026-12-07).

const ACCT_1 = 'acct1-token-0123456789abcdef';
const ACCT_2 = 'acct2-token-0123456789abcdef';
const LONG_ACCT = 'acct-long-token-0123456789abcdef';
/** 120 characters: within the config's 128 and the event contract's 256, over Fastify's 100. */
const LONG_ACCOUNT_ID = `acct_${'x'.repeat(115)}`;
const admin = { authorization: `Bearer ${STACK_ADMIN_TOKEN}` };
const PROBLEM_JSON = 'application/problem+json; charset=utf-8';
const acct1 = { authorization: `Bearer ${ACCT_1}` };
const acct2 = { authorization: `Bearer ${ACCT_2}` };

/** A report generator that holds every report until `release()`, counting what it started. */
function gatedGenerator() {
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const state = { started: 0, running: 0 };
  const generate: ReportGenerator = async () => {
    state.started += 1;
    state.running += 1;
    try {
      await gate;
      return { contentType: 'application/json', body: '{}' };
    } finally {
      state.running -= 1;
    }
  };
  return {
    generate,
    state,
    release() {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
}

/** Until `condition` holds; the injected requests run on this event loop, so yielding suffices. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(condition()).toBe(true);
}

describe('a defended API (issue 11 item 7)', () => {
  const stack = useStackApi('apidef');

  function app(over: Partial<ApiDeps> = {}): FastifyInstance {
    return stack.api({
      tokens: {
        adminTokens: [STACK_ADMIN_TOKEN],
        accountTokens: [
          { accountId: 'acct_1', token: ACCT_1 },
          { accountId: 'acct_2', token: ACCT_2 },
          { accountId: LONG_ACCOUNT_ID, token: LONG_ACCT },
        ],
      },
      readiness: [clickHouseCheck(stack.clickhouse()), redisCheck(stack.redis())],
      metricsCacheMs: 0,
      ...over,
    });
  }

  it('limits requests per token (across addresses) with 429 and Retry-After', async () => {
    const api = app({ limits: { rateLimitPerMinute: 3, addressRateLimitPerMinute: 1000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // A stolen token used from many addresses is still one token.
      const response = await api.inject({
        method: 'GET',
        url: '/v1/mutes',
        headers: admin,
        remoteAddress: `127.0.0.${i + 1}`,
      });
      statuses.push(response.statusCode);
      if (i === 3) {
        expect(response.headers['retry-after']).toMatch(/^\d+$/);
        expect(response.headers['content-type']).toBe(PROBLEM_JSON);
        expect(response.json()).toMatchObject({
          type: 'https://denyscope.dev/problems/rate_limited',
          title: 'Rate limit exceeded',
          status: 429,
          instance: '/v1/mutes',
          error: 'rate_limited',
        });
        expect(response.json<{ message: string }>().message).toMatch(/API_RATE_LIMIT_PER_MINUTE/);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another token from the same address is not affected.
    const other = await api.inject({ method: 'GET', url: '/v1/reports/acct_1', headers: acct1 });
    expect(other.statusCode).not.toBe(429);
  });

  it('limits requests per client address, before the token is even checked', async () => {
    const api = app({ limits: { rateLimitPerMinute: 1000, addressRateLimitPerMinute: 3 } });
    const from = (remoteAddress: string, headers: Record<string, string>) =>
      api.inject({ method: 'GET', url: '/v1/mutes', headers, remoteAddress });
    const statuses: number[] = [];
    for (const token of ['guess-1', 'guess-2', 'guess-3', 'guess-4']) {
      statuses.push((await from('127.0.0.9', { authorization: `Bearer ${token}` })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await from('127.0.0.9', admin);
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ message: string }>().message).toMatch(
      /API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE/,
    );
    expect((await from('127.0.0.10', admin)).statusCode).toBe(200);
    // Probes are never limited: a 429 would make the orchestrator restart a healthy API.
    for (let i = 0; i < 5; i++) {
      const health = await api.inject({
        method: 'GET',
        url: '/healthz',
        remoteAddress: '127.0.0.9',
      });
      expect(health.statusCode).toBe(200);
    }
  });

  it('generates at most one report per token and two in all at once', async () => {
    const gated = gatedGenerator();
    const api = app({ generateReport: gated.generate });
    const report = (account: string, headers: Record<string, string>) =>
      api.inject({ method: 'GET', url: `/v1/reports/${account}?since=366d`, headers });

    const first = report('acct_1', acct1);
    await until(() => gated.state.running === 1);
    const sameToken = await report('acct_1', acct1);
    expect(sameToken.statusCode).toBe(429);
    expect(sameToken.json()).toMatchObject({ error: 'too_many_reports' });
    expect(sameToken.headers['content-type']).toBe(PROBLEM_JSON);
    expect(sameToken.json()).toMatchObject({
      type: 'https://denyscope.dev/problems/too_many_reports',
      title: 'Too many reports at once',
      status: 429,
      instance: '/v1/reports/acct_1',
      detail: sameToken.json<{ message: string }>().message,
    });
    expect(sameToken.json<{ message: string }>().message).toMatch(
      /API_REPORT_CONCURRENCY_PER_TOKEN/,
    );
    expect(sameToken.headers['retry-after']).toMatch(/^\d+$/);

    const second = report('acct_2', acct2);
    await until(() => gated.state.running === 2);
    const third = await report('acct_1', admin);
    expect(third.statusCode).toBe(429);
    expect(third.json<{ message: string }>().message).toMatch(/API_REPORT_CONCURRENCY\b/);
    expect(gated.state.started).toBe(2);

    gated.release();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    // The slots are free again.
    const again = report('acct_1', acct1);
    await until(() => gated.state.running === 1);
    gated.release();
    expect((await again).statusCode).toBe(200);
  });

  it('frees a report slot when the report fails', async () => {
    let calls = 0;
    const api = app({
      generateReport: () => {
        calls += 1;
        return Promise.reject(new Error('clickhouse went away'));
      },
    });
    for (let i = 0; i < 3; i++) {
      const response = await api.inject({
        method: 'GET',
        url: '/v1/reports/acct_1',
        headers: acct1,
      });
      expect(response.statusCode).toBe(500);
      expect(response.headers['content-type']).toBe(PROBLEM_JSON);
      expect(response.json()).toEqual({
        type: 'https://denyscope.dev/problems/internal',
        title: 'Internal error',
        status: 500,
        detail: 'internal error',
        instance: '/v1/reports/acct_1',
        error: 'internal',
        message: 'internal error',
      });
    }
    expect(calls).toBe(3);
  });

  it('/readyz checks at most once per cache period, one check at a time', async () => {
    let runs = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const counting: ReadinessCheck = {
      name: 'counting',
      async check() {
        runs += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 50));
        inFlight -= 1;
      },
    };
    const api = app({ readiness: [counting], readinessCacheMs: 60_000 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api.inject({ method: 'GET', url: '/readyz' })),
    );
    for (let i = 0; i < 5; i++) answers.push(await api.inject({ method: 'GET', url: '/readyz' }));
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
    expect(runs).toBe(1);
    expect(maxInFlight).toBe(1);
  });

  it('/readyz says up or down per part, without internal error text', async () => {
    const up = app({
      readiness: [
        kafkaCheck({ brokers: stackEnv.KAFKA_BROKERS.split(','), clientId: 'test' }),
        clickHouseCheck(stack.clickhouse()),
        redisCheck(stack.redis()),
      ],
    });
    const ready = await up.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { kafka: 'up', clickhouse: 'up', redis: 'up' },
    });

    const failing: ReadinessCheck = {
      name: 'clickhouse',
      check: () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:8123 user=secret')),
    };
    const down = app({
      readiness: [kafkaCheck({ brokers: ['127.0.0.1:1'], clientId: 'test' }), failing],
    });
    const response = await down.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'not_ready',
      checks: { kafka: 'down', clickhouse: 'down' },
    });
    expect(response.body).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|secret|127\.0\.0\.1|answer/);
  });

  it('answers 400 naming the parameter and the range for times out of range', async () => {
    const api = app();
    const range = /expected a time from 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z/;
    const cases: [string, Record<string, string>, RegExp][] = [
      ['/v1/alerts?since=1969-12-31T00:00:00Z', admin, /^since: /],
      ['/v1/alerts?since=1970-01-01T00:30:00%2B01:00', admin, /^since: /],
      ['/v1/alerts?until=1900-01-01T00:00:00Z', admin, /^until: /],
      ['/v1/alerts?until=2200-01-01T00:00:00Z', admin, /^until: /],
      [
        '/v1/reports/acct_1?since=1969-06-01T00:00:00Z&until=1970-01-02T00:00:00Z',
        acct1,
        /^since: /,
      ],
      ['/v1/reports/acct_1?until=2999-01-01T00:00:00Z', acct1, /^until: /],
      ['/v1/reports/acct_1?since=30d&until=2000-01-10T00:00:00Z', acct1, /^since: /],
    ];
    for (const [url, headers, field] of cases) {
      const response = await api.inject({ method: 'GET', url, headers });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(400);
      const body = response.json<{ error: string; message: string }>();
      expect(body.error).toBe('bad_request');
      expect(body.message, url).toMatch(field);
      expect(body.message, url).toMatch(range);
    }
  });

  it('sets security headers on every response, and a strict CSP on HTML reports', async () => {
    const api = app();
    const responses = {
      json: await api.inject({ method: 'GET', url: '/v1/alerts', headers: admin }),
      unauthorized: await api.inject({ method: 'GET', url: '/v1/alerts' }),
      notFound: await api.inject({ method: 'GET', url: '/nope' }),
      health: await api.inject({ method: 'GET', url: '/healthz' }),
      badRequest: await api.inject({ method: 'GET', url: '/v1/alerts?limit=0', headers: admin }),
      html: await api.inject({
        method: 'GET',
        url: '/v1/reports/acct_1?format=html&since=30d',
        headers: acct1,
      }),
    };
    for (const [name, response] of Object.entries(responses)) {
      expect(response.headers['x-content-type-options'], name).toBe('nosniff');
      expect(response.headers['referrer-policy'], name).toBe('no-referrer');
      expect(response.headers['x-frame-options'], name).toBe('DENY');
      expect(response.headers['content-security-policy'], name).toMatch(/default-src 'none'/);
    }
    const { html } = responses;
    expect(html.statusCode, html.body).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(html.headers['content-security-policy']);
    expect(csp.split(/;\s*/).sort()).toEqual(
      [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].sort(),
    );
    // The policy fits the page: inline CSS and inline SVG only, nothing to load or run.
    expect(html.body).toMatch(/<style>/);
    expect(html.body).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|url\(/i);
    expect(responses.json.headers['cache-control']).toBe('no-store');
    expect(html.headers['cache-control']).toBe('no-store');
  });

  it('accepts IDs up to the contract limit (256) and answers 400 naming it above', async () => {
    const api = app();
    const longReport = await api.inject({
      method: 'GET',
      url: `/v1/reports/${LONG_ACCOUNT_ID}`,
      headers: { authorization: `Bearer ${LONG_ACCT}` },
    });
    expect(longReport.statusCode, longReport.body).toBe(200);
    const at256 = await api.inject({
      method: 'GET',
      url: `/v1/alerts/${'a'.repeat(256)}`,
      headers: admin,
    });
    expect(at256.statusCode).toBe(404);
    expect(at256.json<{ message: string }>().message).toMatch(/^no incident a+$/);
    // Percent-encoding does not count: the limit is on the decoded ID.
    const encoded = await api.inject({
      method: 'GET',
      url: `/v1/alerts/${'%C3%A9'.repeat(256)}`,
      headers: admin,
    });
    expect(encoded.statusCode).toBe(404);
    for (const url of [
      `/v1/reports/${'x'.repeat(257)}`,
      `/v1/alerts/${'a'.repeat(300)}`,
      `/v1/alerts/${'a'.repeat(5000)}/ack`,
    ]) {
      const method = url.endsWith('/ack') ? 'POST' : 'GET';
      const response = await api.inject({ method, url, headers: admin });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ error: 'bad_request' });
      expect(response.json<{ message: string }>().message).toMatch(/at most 256 characters/);
      expect(response.headers['content-type']).toBe(PROBLEM_JSON);
      expect(response.json()).toMatchObject({ status: 400, instance: url.split('?')[0] });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
