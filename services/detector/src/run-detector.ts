import { QUEUES, type AlertNotification } from '@denyscope/alerts';
import { createClickHouseClient } from '@denyscope/clickhouse';
import type { Config } from '@denyscope/config';
import type { RuleSettings } from '@denyscope/detections';
import type { Logger } from '@denyscope/telemetry';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AlertsQueueOutput } from './alerts-queue-output.js';
import { AlertsTableOutput } from './alerts-table.js';
import { queryRunner } from './clickhouse-query.js';
import { evaluateAt } from './evaluation.js';
import { IncidentManager } from './incident-manager.js';
import { RedisIncidentStore } from './redis-incident-store.js';
import { readWatermark } from './watermark.js';

const SCHEDULER_ID = 'detect-tick';

export interface RunningDetector {
  stop(): Promise<void>;
}

/**
 * The detector service. Every instance upserts the same BullMQ job scheduler (one tick every
 * DETECT_INTERVAL_MS cluster-wide, however many instances run) and runs a worker on the detect
 * queue with a global concurrency of 1, so evaluations never overlap. A tick reads the watermark,
 * runs the rules and applies the incident transitions (see evaluateAt).
 */
export async function runDetector(
  config: Config,
  settings: RuleSettings,
  log: Logger,
): Promise<RunningDetector> {
  const prefix = config.redis.bullmqPrefix;
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  // BullMQ leaves connections it was given open; these are closed in stop().
  const connections: Redis[] = [redis];
  const bullConnection = () => {
    const client = new Redis(config.redis.url, { maxRetriesPerRequest: null });
    client.on('error', (error) => log.warn({ err: error }, 'redis error'));
    connections.push(client);
    return client;
  };
  const clickhouse = createClickHouseClient(config.clickhouse);
  const detectQueue = new Queue(QUEUES.detect, { connection: bullConnection(), prefix });
  const alertsQueue = new Queue<AlertNotification>(QUEUES.alerts, {
    connection: bullConnection(),
    prefix,
  });
  for (const queue of [detectQueue, alertsQueue]) {
    queue.on('error', (error) => log.error({ err: error, queue: queue.name }, 'queue error'));
  }
  redis.on('error', (error) => log.warn({ err: error }, 'redis error'));

  const store = new RedisIncidentStore(redis, prefix);
  const deps = {
    settings,
    store,
    manager: new IncidentManager(store, config.detector.resolveAfterMs),
    outputs: [new AlertsTableOutput(clickhouse), new AlertsQueueOutput(alertsQueue)],
    query: queryRunner(clickhouse),
    log,
  };

  await detectQueue.setGlobalConcurrency(1);
  await detectQueue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: config.detector.intervalMs },
    { name: 'tick', opts: { removeOnComplete: 100, removeOnFail: 500, attempts: 1 } },
  );

  const worker = new Worker(
    QUEUES.detect,
    async () => {
      const watermark = await readWatermark(deps.query, config.detector.allowedLatenessMs);
      if (watermark === null) return { skipped: 'no events ingested yet' };
      const transitions = await evaluateAt(deps, watermark);
      return { watermark: watermark.toISOString(), transitions: transitions.length };
    },
    { connection: bullConnection(), prefix, concurrency: 1 },
  );
  worker.on('error', (error) => log.error({ err: error }, 'detect worker error'));
  worker.on('failed', (job, error) =>
    log.error({ err: error, jobId: job?.id }, 'evaluation failed; the next tick tries again'),
  );
  log.info(
    {
      intervalMs: config.detector.intervalMs,
      lateness: config.detector.allowedLatenessMs,
      prefix,
    },
    'detector running',
  );

  return {
    async stop() {
      await worker.close();
      await Promise.all([detectQueue.close(), alertsQueue.close()]);
      await Promise.all(
        connections.map((client) => client.quit().catch(() => client.disconnect())),
      );
      await clickhouse.close();
    },
  };
}
