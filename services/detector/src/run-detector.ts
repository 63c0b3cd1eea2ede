import { QUEUES, type AlertNotification } from '@denyscope/alerts';
import { createClickHouseClient, serverCapabilities } from '@denyscope/clickhouse';
import { flushLandedChannel, redisConnectionOptions, type SharedConfig } from '@denyscope/config';
import type { RuleSettings } from '@denyscope/detections';
import { serviceClosedBy, type Service } from '@denyscope/runtime';
import { getTracer, SPAN_NAMES, withSpan, type Logger } from '@denyscope/telemetry';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AlertsQueueOutput, AlertsTableOutput, RedisIncidentStore } from '@denyscope/incidents';
import { queryRunner } from './clickhouse-query.js';
import type { DetectorConfig } from './config.js';
import { IncidentManager } from './incident-manager.js';
import { RedisRuleProgressStore } from './rule-progress.js';
import { runTick, type LiveSettings } from './tick.js';
import { readFirstEvidence, readWatermark } from './watermark.js';

const SCHEDULER_ID = 'detect-tick';

/** Kept finished detect jobs, for inspection (ticks and flush-driven evaluations alike). */
const DETECT_JOB_RETENTION = { removeOnComplete: 100, removeOnFail: 500, attempts: 1 } as const;

/**
 * A flush hint asks for one evaluation. All hints share one deduplication ID, so however many
 * ingest instances flush and however many detectors hear them, at most one such evaluation waits;
 * one that arrives while an evaluation runs is kept for right after it (keepLastIfActive), so the
 * rows of that flush are never left to the fixed tick.
 */
const FLUSH_EVALUATION = {
  ...DETECT_JOB_RETENTION,
  deduplication: { id: 'flush-landed', keepLastIfActive: true },
} as const;

/**
 * How soon a tick whose detector died is given to another instance. The detect queue runs one
 * job at a time cluster-wide, so a killed tick blocks every evaluation until BullMQ's stalled-job
 * check finds its lock expired: with BullMQ's defaults (30 s lock, checked every 30 s) that took
 * 30–90 s (docs/chaos.md, finding 5). A live worker renews its lock every half lockDuration on a
 * timer, so a long evaluation keeps its lock; only an event loop blocked for 10 s would lose it.
 */
const TICK_LOCK = { lockDuration: 10_000, stalledInterval: 5_000 } as const;

/**
 * The detector service. Every instance upserts the same BullMQ job scheduler (one tick every
 * DETECT_INTERVAL_MS cluster-wide, however many instances run), queues an evaluation whenever
 * ingest announces a flush that landed (DETECT_ON_FLUSH), and runs a worker on the detect queue
 * with a global concurrency of 1, so evaluations never overlap. A tick reads the watermark,
 * runs the rules and applies the incident transitions (see runTick and evaluateAt), first walking
 * any windows that closed while nothing was evaluated (catch-up.ts).
 */
export async function runDetector(
  config: SharedConfig & { detector: DetectorConfig },
  settings: RuleSettings,
  log: Logger,
): Promise<Service> {
  const prefix = config.redis.bullmqPrefix;
  const redis = new Redis({ ...redisConnectionOptions(config.redis), maxRetriesPerRequest: null });
  // BullMQ leaves connections it was given open; these are closed in stop().
  const connections: Redis[] = [redis];
  const bullConnection = () => {
    const client = new Redis({
      ...redisConnectionOptions(config.redis),
      maxRetriesPerRequest: null,
    });
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

  const store = new RedisIncidentStore(redis, prefix, {
    resolvedTtlMs: config.detector.resolvedTtlMs,
  });
  const deps = {
    settings,
    store,
    manager: new IncidentManager(store, config.detector.resolveAfterMs, {
      maxNewIncidentsPerRule: config.detector.maxNewIncidentsPerRule,
    }),
    outputs: [new AlertsTableOutput(clickhouse), new AlertsQueueOutput(alertsQueue)],
    query: queryRunner(clickhouse),
    log,
  };

  const live: LiveSettings = {
    futureToleranceMs: config.pipeline.futureToleranceMs,
    ruleFailureAlertAfter: config.detector.ruleFailureAlertAfter,
    progress: new RedisRuleProgressStore(redis, prefix),
  };

  await detectQueue.setGlobalConcurrency(1);
  await detectQueue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: config.detector.intervalMs },
    { name: 'tick', opts: DETECT_JOB_RETENTION },
  );

  // DETECT_ON_FLUSH: evaluate when ingest says a flush landed, not only on the fixed tick (which
  // stays: it resolves quiet incidents when no traffic comes, and covers a hint that was lost).
  if (config.pipeline.onFlush) {
    const subscriber = bullConnection();
    subscriber.on('message', () => {
      detectQueue
        .add('flush', {}, FLUSH_EVALUATION)
        .catch((error: unknown) =>
          log.warn({ err: error }, 'could not queue an evaluation for a flush; the tick will'),
        );
    });
    await subscriber.subscribe(flushLandedChannel(config.redis));
  }

  const tracer = getTracer();
  // One trace per tick: the watermark read, every evaluation (detector.evaluate → detector.rule →
  // ClickHouse requests) and the Redis calls of the incident store are inside it.
  const tick = () =>
    withSpan(tracer, SPAN_NAMES.detectorTick, {}, async (span) => {
      const result = await runTick(
        // Read once (serverCapabilities caches it per client), at the first tick that can reach
        // ClickHouse rather than at start-up.
        { ...deps, capabilities: await serverCapabilities(clickhouse) },
        {
          current: () =>
            readWatermark(deps.query, {
              allowedLatenessMs: config.detector.allowedLatenessMs,
              maxWaitMs: config.detector.partitionWaitMs,
              futureToleranceMs: config.pipeline.futureToleranceMs,
            }),
          firstEvidence: (notBefore) => readFirstEvidence(deps.query, notBefore),
        },
        config.detector.catchUp,
        live,
      );
      span.setAttributes(
        'skipped' in result
          ? { 'denyscope.detector.skipped': result.skipped }
          : {
              'denyscope.detector.watermark': result.watermark,
              'denyscope.detector.evaluations': result.evaluations,
              'denyscope.detector.transitions': result.transitions,
              'denyscope.detector.behind': result.behind,
            },
      );
      return result;
    });
  const worker = new Worker(QUEUES.detect, tick, {
    connection: bullConnection(),
    prefix,
    concurrency: 1,
    ...TICK_LOCK,
  });
  worker.on('error', (error) => log.error({ err: error }, 'detect worker error'));
  worker.on('failed', (job, error) =>
    log.error({ err: error, jobId: job?.id }, 'evaluation failed; the next tick tries again'),
  );
  log.info(
    {
      intervalMs: config.detector.intervalMs,
      lateness: config.detector.allowedLatenessMs,
      partitionWaitMs: config.detector.partitionWaitMs,
      catchUp: config.detector.catchUp,
      onFlush: config.pipeline.onFlush,
      futureToleranceMs: config.pipeline.futureToleranceMs,
      ruleFailureAlertAfter: config.detector.ruleFailureAlertAfter,
      prefix,
    },
    'detector running',
  );

  return serviceClosedBy(async () => {
    await worker.close();
    await Promise.all([detectQueue.close(), alertsQueue.close()]);
    await Promise.all(connections.map((client) => client.quit().catch(() => client.disconnect())));
    await clickhouse.close();
  });
}
