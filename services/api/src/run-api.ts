import { createClickHouseClient } from '@denyscope/clickhouse';
import { redisConnectionOptions, type SharedConfig } from '@denyscope/config';
import { serviceClosedBy, type Service } from '@denyscope/runtime';
import type { Logger } from '@denyscope/telemetry';
import { Redis } from 'ioredis';
import { buildApi } from './build-api.js';
import type { ApiConfig } from './config.js';
import { clickHouseCheck, kafkaCheck, redisCheck } from './readiness.js';

export interface RunningApi extends Service {
  url: string;
}

/** Connects to ClickHouse, Redis and (for /readyz) Kafka, and serves the API until stop(). */
export async function runApi(
  config: SharedConfig & { api: ApiConfig },
  log: Logger,
): Promise<RunningApi> {
  const { api } = config;
  if (api.adminTokens.length === 0 && api.accountTokens.length === 0) {
    log.warn('no API_ADMIN_TOKENS or API_ACCOUNT_TOKENS: every /v1 route answers 401');
  }
  const clickhouse = createClickHouseClient(config.clickhouse, { requestTimeoutMs: 30_000 });
  // Fail commands fast while Redis is away (readyz says so) instead of queueing them forever.
  const redis = new Redis({ ...redisConnectionOptions(config.redis), maxRetriesPerRequest: 1 });
  redis.on('error', (error: Error) => log.warn({ err: error }, 'redis connection error'));

  const app = buildApi({
    clickhouse,
    redis,
    bullmqPrefix: config.redis.bullmqPrefix,
    tokens: api,
    limits: api,
    log: log.child({ component: 'http' }),
    readiness: [kafkaCheck(config.kafka), clickHouseCheck(clickhouse), redisCheck(redis)],
  });
  try {
    const url = await app.listen({ host: api.host, port: api.port });
    log.info({ url }, 'api listening');
    const service = serviceClosedBy(async () => {
      await app.close();
      await redis.quit().catch(() => redis.disconnect());
      await clickhouse.close();
    });
    return { url, ...service };
  } catch (error) {
    redis.disconnect();
    await clickhouse.close();
    throw error;
  }
}
