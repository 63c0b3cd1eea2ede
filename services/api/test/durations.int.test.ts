import { DURATION_MESSAGE } from '@denyscope/events';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_ADMIN_TOKEN, useStackApi } from './stack-api.js';

// The API reads durations with the grammar of the CLI and the rules file (@denyscope/events):
// `250ms` works, and a bad one gets the same text as on the command line, after the field name.

const admin = { authorization: `Bearer ${STACK_ADMIN_TOKEN}` };

describe('API durations', () => {
  const stack = useStackApi('api-durations');
  let app: FastifyInstance;

  beforeAll(async () => {
    app = stack.api({ metricsCacheMs: 0 });
    await app.ready();
  });

  const mute = (duration: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/mutes',
      headers: admin,
      payload: { rule: 'id-enumeration', key_id: 'k1', duration, reason: 'test' },
    });

  it('accept milliseconds, as the CLI does', async () => {
    const before = Date.now();
    const response = await mute('90000ms');
    expect(response.statusCode, response.body).toBe(201);
    const until = Date.parse(response.json<{ until: string }>().until);
    expect(until - before).toBeGreaterThanOrEqual(90_000);
    expect(until - before).toBeLessThan(100_000);
    const report = await app.inject({
      method: 'GET',
      url: '/v1/reports/acct_1?since=1500ms&format=json',
      headers: admin,
    });
    expect(report.statusCode, report.body).toBe(200);
  });

  it('answer 400 with the shared text after the field name', async () => {
    const cases: [Promise<{ statusCode: number; body: string }>, string][] = [
      [mute('5 min'), `duration: ${DURATION_MESSAGE}`],
      [mute('1.5h'), `duration: ${DURATION_MESSAGE}`],
      [mute('0ms'), 'duration: expected a duration more than zero and at most 30d'],
      [mute('31d'), 'duration: expected a duration more than zero and at most 30d'],
      [
        app.inject({ method: 'GET', url: '/v1/reports/acct_1?since=5x', headers: admin }),
        `since: ${DURATION_MESSAGE}, or an RFC 3339 date-time`,
      ],
      [
        app.inject({ method: 'GET', url: '/v1/reports/acct_1?since=400d', headers: admin }),
        'since: expected a duration more than zero and at most 366d',
      ],
    ];
    for (const [pending, message] of cases) {
      const response = await pending;
      expect(response.statusCode, response.body).toBe(400);
      expect((JSON.parse(response.body) as { message: string }).message).toBe(message);
    }
  });
});
