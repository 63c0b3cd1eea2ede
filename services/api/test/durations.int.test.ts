import type { ClickHouseClient } from '@denyscope/clickhouse';
import { DURATION_MESSAGE } from '@denyscope/events';
import { createLogger } from '@denyscope/telemetry';
import { dropDatabase, migratedDatabase, stackEnv, testNames } from '@denyscope/testkit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../src/build-api.js';

// The API reads durations with the grammar of the CLI and the rules file (@denyscope/events):
// `250ms` works, and a bad one gets the same text as on the command line, after the field name.

const ADMIN = 'admin-token-durations-0123456789';
const admin = { authorization: `Bearer ${ADMIN}` };

describe('API durations', () => {
  const names = testNames('api_durations');
  const prefix = `test-api-durations-${names.suffix}`;
  let client: ClickHouseClient;
  let redis: Redis;
  let app: FastifyInstance;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    redis = new Redis(stackEnv.REDIS_URL);
    app = buildApi({
      clickhouse: client,
      redis,
      bullmqPrefix: prefix,
      tokens: { adminTokens: [ADMIN], accountTokens: [] },
      log: createLogger({ service: 'test', level: 'silent' }),
      readiness: [],
      metricsCacheMs: 0,
    });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis?.disconnect();
    await client?.close();
    await dropDatabase(names.database);
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
