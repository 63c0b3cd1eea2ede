import { afterAll, describe, expect, it } from 'vitest';
import { offlineApi } from '../test/offline-api.js';
import { routesOf } from './build-api.js';
import { openApiPath } from './route-table.js';

// No service is contacted (test/offline-api.ts).
const { app, close } = offlineApi();

afterAll(close);

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

describe('OpenAPI document', () => {
  it('documents every registered route, and registers every documented one', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<Doc>();
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const registered = routesOf(app)
      .filter((route) => !route.startsWith('HEAD '))
      .map((route) => {
        const [method = '', url = ''] = route.split(' ');
        return `${method} ${openApiPath(url)}`;
      });
    expect(registered.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('describes query parameters and bodies from the zod schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Doc>();
    const list = doc.paths['/v1/alerts']?.get as { parameters: { name: string }[] };
    expect(list.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'rule',
        'status',
        'severity',
        'key',
        'account',
        'since',
        'until',
        'limit',
      ]),
    );
    const mute = doc.paths['/v1/mutes']?.post as {
      requestBody: {
        content: { 'application/json': { schema: { additionalProperties: boolean } } };
      };
    };
    expect(mute.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('documents the rate limit on every route but the probes, and readiness without details', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Doc>();
    const responsesOf = (path: string) =>
      (doc.paths[path]?.get as { responses: Record<string, unknown> }).responses;
    expect(responsesOf('/v1/alerts')).toHaveProperty('429');
    expect(responsesOf('/v1/reports/{account}')).toHaveProperty('429');
    expect(responsesOf('/healthz')).not.toHaveProperty('429');
    expect(responsesOf('/readyz')).not.toHaveProperty('429');
    const ready = responsesOf('/readyz')['200'] as {
      content: { 'application/json': { schema: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(ready.content['application/json'].schema.properties).sort()).toEqual([
      'checks',
      'status',
    ]);
  });

  it('answers 404 JSON for unknown routes and 401 with WWW-Authenticate without a token', async () => {
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
    const denied = await app.inject({ method: 'GET', url: '/v1/alerts' });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});
