import type { SharedConfig } from './shared-section.js';

/**
 * ioredis options for REDIS_URL and REDIS_CA_FILE, for every connection denyscope opens: the
 * incident store, mutes, the API, and each BullMQ queue and worker (BullMQ opens its own
 * connections from options, so a URL alone would lose the CA). Plain data in ioredis's shape.
 */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  /** Present for rediss:// URLs: TLS, with the private CA when REDIS_CA_FILE is set. */
  tls?: { ca?: string[] };
}

export function redisConnectionOptions(redis: SharedConfig['redis']): RedisConnectionOptions {
  const parsed = new URL(redis.url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:'
      ? { tls: redis.caCert === undefined ? {} : { ca: [redis.caCert] } }
      : {}),
  };
}

/**
 * The Redis pub/sub channel on which ingest announces a flush that landed in ClickHouse and the
 * detector listens (DETECT_ON_FLUSH). Per BULLMQ_PREFIX, like the queues, so deployments and test
 * runs sharing one Redis do not wake each other.
 */
export function flushLandedChannel(redis: SharedConfig['redis']): string {
  return `${redis.bullmqPrefix}:ingest:flush-landed`;
}
