import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { SharedConfig } from '@denyscope/config';
import { kafkajsSecurity } from '@denyscope/kafka';
import type { Logger } from '@denyscope/telemetry';
import type { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';

/** One dependency /readyz checks; `check` rejects when it is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export const READINESS_TIMEOUT_MS = 2_000;
/**
 * How long one answer of /readyz is reused. /readyz is open, and the Kafka check opens a broker
 * connection: without a cache every probe (or anyone) could open one per request.
 */
export const READINESS_CACHE_MS = 5_000;

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
export function kafkaCheck(
  kafkaConfig: Pick<SharedConfig['kafka'], 'brokers' | 'clientId'> &
    Partial<Pick<SharedConfig['kafka'], 'ssl' | 'sasl'>>,
): ReadinessCheck {
  const kafka = new Kafka({
    brokers: kafkaConfig.brokers,
    ...kafkajsSecurity(kafkaConfig),
    clientId: `${kafkaConfig.clientId}-api-readyz`,
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

export type CheckState = 'up' | 'down';

/** What /readyz may tell anyone: which part is up. Why one is down goes to the log only. */
export interface ReadinessResult {
  ready: boolean;
  checks: Record<string, CheckState>;
}

/** Runs every check at once, each bounded by the timeout; logs why a check failed. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  log: Logger,
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessResult> {
  const outcomes = await Promise.all(
    checks.map(async (readiness): Promise<[string, CheckState]> => {
      const { name } = readiness;
      try {
        await withTimeout(readiness.check(), timeoutMs, name);
        return [name, 'up'];
      } catch (error) {
        log.warn({ check: name, err: error }, 'readiness check failed');
        return [name, 'down'];
      }
    }),
  );
  return {
    ready: outcomes.every(([, state]) => state === 'up'),
    checks: Object.fromEntries(outcomes),
  };
}

/**
 * The readiness of the API's dependencies, checked at most once per `cacheMs` and never twice at
 * the same time: concurrent callers share the check in flight, later ones reuse its answer.
 */
export class CachedReadiness {
  private last: { at: number; result: ReadinessResult } | undefined;
  private inFlight: Promise<ReadinessResult> | undefined;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly log: Logger,
    private readonly cacheMs = READINESS_CACHE_MS,
  ) {}

  current(): Promise<ReadinessResult> {
    const { last } = this;
    if (last !== undefined && Date.now() - last.at < this.cacheMs) {
      return Promise.resolve(last.result);
    }
    this.inFlight ??= checkReadiness(this.checks, this.log)
      .then((result) => {
        this.last = { at: Date.now(), result };
        return result;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
