import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyRequest, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_ADMIN_TOKEN, offlineApi } from '../test/offline-api.js';
import { PROBLEM_TYPE_BASE, problemOf, type Problem } from './problem.js';

// Every error path of the API that needs no service, answered as RFC 9457 problem details and
// checked against the Problem schema of the API's own OpenAPI document. No service is contacted
// (test/offline-api.ts): ClickHouse is an address nothing listens on, so a query is the 500 path.

const ACCOUNT = 'acct1-token-0123456789';
const admin = { authorization: `Bearer ${OFFLINE_ADMIN_TOKEN}` };
const tokens = {
  adminTokens: [OFFLINE_ADMIN_TOKEN],
  accountTokens: [{ accountId: 'acct_1', token: ACCOUNT }],
};

const { app, close } = offlineApi({ tokens });
let isProblem: (body: unknown) => boolean;

beforeAll(async () => {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    components: { schemas: { Problem: object } };
  }>();
  // Formats are checked below by hand: `type` may be `about:blank`.
  isProblem = new Ajv2020({ validateFormats: false }).compile(doc.components.schemas.Problem);
});

afterAll(close);

/** Asserts the answer is problem details of `status`/`error` at `instance`; returns the body. */
async function expectProblem(
  pending: Promise<LightMyRequestResponse>,
  status: number,
  error: string,
  instance: string,
): Promise<Problem> {
  const response = await pending;
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  const body = response.json<Problem>();
  expect(isProblem(body), response.body).toBe(true);
  expect(body).toMatchObject({ type: `${PROBLEM_TYPE_BASE}${error}`, status, error, instance });
  expect(body.title).not.toBe('');
  expect(body.message).toBe(body.detail);
  return body;
}

const inject = (options: InjectOptions) => app.inject(options);
/** POST /v1/mutes as the admin with a raw body of `contentType`. */
const postRawMute = (contentType: string, payload: string) =>
  inject({
    method: 'POST',
    url: '/v1/mutes',
    headers: { ...admin, 'content-type': contentType },
    payload,
  });

describe('problem details on every error path', () => {
  it('400: a query, a body, malformed JSON, an over-long ID and a malformed URL', async () => {
    const limit = await expectProblem(
      inject({ method: 'GET', url: '/v1/alerts?limit=0', headers: admin }),
      400,
      'bad_request',
      '/v1/alerts',
    );
    expect(limit.detail).toMatch(/^limit: expected a whole number/);
    expect(limit.title).toBe('Bad request');
    const body = await expectProblem(
      inject({ method: 'POST', url: '/v1/mutes', headers: admin, payload: { rule: 'nope' } }),
      400,
      'bad_request',
      '/v1/mutes',
    );
    expect(body.detail).toMatch(/^rule: expected one of/);
    const json = await expectProblem(
      postRawMute('application/json', '{"rule":'),
      400,
      'bad_request',
      '/v1/mutes',
    );
    expect(json.detail).toMatch(/JSON/i);
    const longId = `/v1/alerts/${'a'.repeat(300)}`;
    const long = await expectProblem(
      inject({ method: 'GET', url: longId, headers: admin }),
      400,
      'bad_request',
      longId,
    );
    expect(long.detail).toBe('path: expected IDs of at most 256 characters');
    const bad = await expectProblem(
      inject({ method: 'GET', url: '/v1/alerts/%zz', headers: admin }),
      400,
      'bad_request',
      '/v1/alerts/%zz',
    );
    expect(bad.detail).toBe('path: expected a valid percent-encoded URL');
  });

  it('401 with WWW-Authenticate, 403 for the wrong token', async () => {
    const pending = inject({ method: 'GET', url: '/v1/alerts?limit=5' });
    const unauthorized = await expectProblem(pending, 401, 'unauthorized', '/v1/alerts');
    expect(unauthorized.title).toBe('Unauthorized');
    expect((await pending).headers['www-authenticate']).toBe('Bearer realm="denyscope"');
    const forbidden = await expectProblem(
      inject({
        method: 'GET',
        url: '/v1/reports/acct_2',
        headers: { authorization: `Bearer ${ACCOUNT}` },
      }),
      403,
      'forbidden',
      '/v1/reports/acct_2',
    );
    expect(forbidden.detail).toBe('this token may not access this resource');
  });

  it('404 for an unknown route and for a method a path does not have (no 405)', async () => {
    const missing = await expectProblem(
      inject({ method: 'GET', url: '/nope?token=x' }),
      404,
      'not_found',
      '/nope',
    );
    expect(missing.detail).toBe('no route GET /nope');
    await expectProblem(inject({ method: 'PUT', url: '/healthz' }), 404, 'not_found', '/healthz');
  });

  it('413 for a body over 16 KiB, 415 for a body that is not JSON', async () => {
    await expectProblem(
      inject({
        method: 'POST',
        url: '/v1/mutes',
        headers: admin,
        payload: { rule: 'id-enumeration', reason: 'x'.repeat(20_000) },
      }),
      413,
      'payload_too_large',
      '/v1/mutes',
    );
    const unsupported = await expectProblem(
      postRawMute('application/xml', '<mute/>'),
      415,
      'unsupported_media_type',
      '/v1/mutes',
    );
    expect(unsupported.title).toBe('Unsupported media type');
  });

  it('429 from the rate limiter, with Retry-After', async () => {
    const { app: limited, close: closeLimited } = offlineApi({
      tokens,
      limits: { addressRateLimitPerMinute: 1 },
    });
    try {
      expect((await limited.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
      const pending = limited.inject({ method: 'GET', url: '/openapi.json' });
      const body = await expectProblem(pending, 429, 'rate_limited', '/openapi.json');
      expect(body.title).toBe('Rate limit exceeded');
      expect(body.detail).toMatch(/API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE/);
      expect((await pending).headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await closeLimited();
    }
  });

  it('500 without internal detail when ClickHouse cannot be reached', async () => {
    const pending = inject({ method: 'GET', url: '/v1/alerts', headers: admin });
    const body = await expectProblem(pending, 500, 'internal', '/v1/alerts');
    expect(body).toMatchObject({ title: 'Internal error', detail: 'internal error' });
    expect((await pending).body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack|at /);
  });

  it('a status the API has no word for is about:blank, titled by its reason phrase', () => {
    const request = { url: '/v1/mutes?x=1' } as FastifyRequest;
    expect(problemOf(request, 408, undefined, 'too slow')).toEqual({
      type: 'about:blank',
      title: 'Request Timeout',
      status: 408,
      detail: 'too slow',
      instance: '/v1/mutes',
      error: 'request_timeout',
      message: 'too slow',
    });
  });
});
