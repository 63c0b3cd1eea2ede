import type { ClickHouseClient } from '@denyscope/clickhouse';
import { createLogger } from '@denyscope/telemetry';
import {
  deleteRedisPrefix,
  dropDatabase,
  migratedDatabase,
  stackEnv,
  testNames,
} from '@denyscope/testkit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { buildApi, type ApiDeps } from '../src/build-api.js';

/** The admin token of every API `useStackApi` builds, unless a test passes its own `tokens`. */
export const STACK_ADMIN_TOKEN = 'admin-token-0123456789abcdef';

export interface StackApi {
  /** The BullMQ prefix of the APIs built here; its Redis keys are deleted after the suite. */
  prefix: string;
  /** Bound to the suite's own migrated database; valid inside tests (created in beforeAll). */
  clickhouse: () => ClickHouseClient;
  /** The shared stack's Redis; valid inside tests (connected in beforeAll). */
  redis: () => Redis;
  /**
   * The API against this database and Redis: admin token STACK_ADMIN_TOKEN, no account tokens,
   * no readiness checks, silent log; `over` replaces any of these. Closed after the suite.
   */
  api: (over?: Partial<ApiDeps>) => FastifyInstance;
}

/**
 * Gives a describe block of API integration tests (the stack-backed counterpart of offline-api.ts)
 * its own migrated ClickHouse database and a Redis prefix of its own, and afterwards closes every
 * API it built, deletes the prefix's keys and drops the database. Its beforeAll is registered
 * first, so a suite's own beforeAll (seeding, building its API) runs after it.
 */
export function useStackApi(name: string): StackApi {
  const names = testNames(name);
  const prefix = `test-${name}-${names.suffix}`;
  const apps: FastifyInstance[] = [];
  let client: ClickHouseClient | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    redis = new Redis(stackEnv.REDIS_URL);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    if (redis) await deleteRedisPrefix(redis, prefix);
    redis?.disconnect();
    await client?.close();
    await dropDatabase(names.database);
  });

  const clickhouse = () => {
    if (!client) throw new Error('useStackApi: the ClickHouse client exists only inside tests');
    return client;
  };
  const connectedRedis = () => {
    if (!redis) throw new Error('useStackApi: Redis is connected only inside tests');
    return redis;
  };

  return {
    prefix,
    clickhouse,
    redis: connectedRedis,
    api(over = {}) {
      const app = buildApi({
        clickhouse: clickhouse(),
        redis: connectedRedis(),
        bullmqPrefix: prefix,
        tokens: { adminTokens: [STACK_ADMIN_TOKEN], accountTokens: [] },
        log: createLogger({ service: 'test', level: 'silent' }),
        readiness: [],
        ...over,
      });
      apps.push(app);
      return app;
    },
  };
}
