import type { RedisClient } from 'bullmq';
import type { SinkId } from './sinks/sink.js';

/**
 * The newest notification version each sink has accepted, per incident. A delivery older than that
 * is skipped as superseded. Without it, a trigger retried with backoff could reach PagerDuty after
 * the resolve that followed it and reopen an incident nobody will close; and Slack would show
 * "opened" under "resolved".
 *
 * It orders, it does not deduplicate (job IDs do that), so it is best effort: deliveries of two
 * versions in flight at the same moment can still arrive in either order.
 */
export interface DeliveryLedger {
  /** The newest version delivered to this sink for this alert; 0 when none. */
  latest(sink: SinkId, alertId: string): Promise<number>;
  record(sink: SinkId, alertId: string, version: number): Promise<void>;
}

/** Longer than any dedup window (30 days for failed jobs), so a late retry still finds it. */
const KEEP_S = 31 * 24 * 3600;

// Only ever raises the stored version, atomically: two deliveries finishing together cannot lower it.
const RAISE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return current`;
const RAISE_COMMAND = 'denyscopeLedgerRaise';

/** `connect` is called once, on first use: the queue's client, which the queue closes. */
export function createDeliveryLedger(
  connect: () => Promise<RedisClient>,
  prefix: string,
): DeliveryLedger {
  let ready: Promise<RedisClient> | undefined;
  const client = () =>
    (ready ??= connect().then((redis) => {
      redis.defineCommand(RAISE_COMMAND, { numberOfKeys: 1, lua: RAISE });
      return redis;
    }));
  const key = (sink: SinkId, alertId: string) => `${prefix}:notifier-ledger:${sink}:${alertId}`;
  return {
    async latest(sink, alertId) {
      return Number((await (await client()).get(key(sink, alertId))) ?? 0);
    },
    async record(sink, alertId, version) {
      await (await client()).runCommand(RAISE_COMMAND, [key(sink, alertId), version, KEEP_S]);
    },
  };
}
