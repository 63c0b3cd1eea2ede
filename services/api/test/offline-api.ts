import { createClickHouseClient } from '@denyscope/clickhouse';
import { createLogger } from '@denyscope/telemetry';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApi, type ApiDeps } from '../src/build-api.js';

export const OFFLINE_ADMIN_TOKEN = 'admin-token-0123456789';

/**
 * The API with clients that contact nothing (ClickHouse on a port nothing listens on, Redis never
 * connected), for tests of what needs no service: the OpenAPI document, auth, error shapes.
 * `close()` closes the app and both clients.
 */
export function offlineApi(over: Partial<ApiDeps> = {}): {
  app: FastifyInstance;
  close: () => Promise<void>;
} {
  const clickhouse = createClickHouseClient({
    url: 'http://127.0.0.1:1',
    database: 'none',
    user: 'default',
    password: '',
  });
  const redis = new Redis({ lazyConnect: true });
  const app = buildApi({
    clickhouse,
    redis,
    bullmqPrefix: 'unit',
    tokens: { adminTokens: [OFFLINE_ADMIN_TOKEN], accountTokens: [] },
    log: createLogger({ service: 'test', level: 'silent' }),
    readiness: [],
    generateReport: () => Promise.reject(new Error('not used')),
    ...over,
  });
  return {
    app,
    async close() {
      await app.close();
      redis.disconnect();
      await clickhouse.close();
    },
  };
}
