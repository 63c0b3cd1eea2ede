import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';

/** One dependency /readyz checks; `check` rejects when it is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export const READINESS_TIMEOUT_MS = 2_000;

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function clickHouseCheck(client: ClickHouseClient): ReadinessCheck {
  return {
    name: 'clickhouse',
    async check() {
      const result = await client.ping();
      if (!result.success) throw result.error;
    },
  };
}

export function redisCheck(redis: Redis): ReadinessCheck {
  return {
    name: 'redis',
    async check() {
      await redis.ping();
    },
  };
}

/**
 * A fresh admin client per check, without retries: a readiness probe must answer quickly with the
 * broker's state now, not after kafkajs's default retry schedule (up to ~30 s).
 */
export function kafkaCheck(brokers: string[], clientId: string): ReadinessCheck {
  const kafka = new Kafka({
    brokers,
    clientId: `${clientId}-api-readyz`,
    connectionTimeout: 1_000,
    requestTimeout: 1_500,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  return {
    name: 'kafka',
    async check() {
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('no brokers in the cluster');
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

export interface ReadinessResult {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/** Runs every check at once, each bounded by the timeout. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessResult> {
  const outcomes = await Promise.all(
    checks.map(async (readiness) => {
      const { name } = readiness;
      try {
        await withTimeout(readiness.check(), timeoutMs, name);
        return [name, { ok: true }] as const;
      } catch (error) {
        return [name, { ok: false, error: (error as Error).message || 'failed' }] as const;
      }
    }),
  );
  return {
    ready: outcomes.every(([, outcome]) => outcome.ok),
    checks: Object.fromEntries(outcomes) as ReadinessResult['checks'],
  };
}
