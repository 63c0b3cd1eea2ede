import { flushLandedChannel, redisConnectionOptions, type SharedConfig } from '@denyscope/config';
import type { Logger } from '@denyscope/telemetry';
import { Redis } from 'ioredis';

/** What ingest tells the detector after a flush landed. */
export interface FlushHints {
  /** `newestMs`: the newest event time the flush stored (epoch ms), for the detector's log. */
  landed(newestMs: number): void;
  close(): Promise<void>;
}

/** DETECT_ON_FLUSH=false: the detector evaluates on its fixed tick only. */
export const NO_FLUSH_HINTS: FlushHints = {
  landed: () => undefined,
  close: () => Promise.resolve(),
};

/**
 * Flush hints over Redis pub/sub (docs/rules.md, "When rules run"). A hint only makes detection
 * sooner: every detector instance that hears it asks for one evaluation, and one that is missed
 * costs at most DETECT_INTERVAL_MS, the fixed tick that stays. So Redis is never in ingest's way:
 * a hint is sent only while connected (no offline queue, no retries, never awaited), and an outage
 * is logged once when it starts and once when it ends, never per flush. Ingest starts without
 * Redis and does not report it in readiness.
 */
export function redisFlushHints(config: Pick<SharedConfig, 'redis'>, log: Logger): FlushHints {
  const channel = flushLandedChannel(config.redis);
  const redis = new Redis({
    ...redisConnectionOptions(config.redis),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: false,
    // Reconnect forever, at most every 5 s: the hints come back by themselves.
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let down = false;
  redis.on('error', (error) => {
    if (down) return;
    down = true;
    log.warn(
      { err: error },
      'cannot send flush hints to Redis; the detector evaluates on its DETECT_INTERVAL_MS tick until Redis is back',
    );
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({}, 'flush hints to Redis resumed');
  });
  return {
    landed(newestMs) {
      if (redis.status !== 'ready') return;
      redis.publish(channel, String(newestMs)).catch(() => undefined);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
