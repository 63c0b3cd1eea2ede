/** The part of an ioredis client this helper uses (testkit does not depend on ioredis). */
interface KeyDeleter {
  keys(pattern: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
}

/** Deletes every key under a test's BULLMQ_PREFIX (queues, incidents, mutes, ledgers). */
export async function deleteRedisPrefix(redis: KeyDeleter, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}
