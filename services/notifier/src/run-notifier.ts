import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { QUEUES } from '@denyscope/alerts';
import { redisConnectionOptions, type SharedConfig } from '@denyscope/config';
import { serviceClosedBy, type Service } from '@denyscope/runtime';
import type { Logger } from '@denyscope/telemetry';
import type { NotifierConfig } from './config.js';
import { createDeliveryLedger } from './delivery-ledger.js';
import { createDispatchProcessor } from './dispatcher.js';
import { createHttpPost } from './http-post.js';
import { retryDelayMs } from './retry-delay.js';
import { createDeliveryProcessor } from './sink-worker.js';
import { createSinks } from './sinks/index.js';
import type { SinkId } from './sinks/sink.js';

/**
 * How soon a job whose notifier died (a delivery cut mid-request) runs again on a live instance:
 * when its lock expires, found by the stalled-job check. BullMQ's defaults (30 s lock, checked
 * every 30 s) made that 30–90 s (docs/chaos.md, finding 5). A live worker renews its locks every
 * half lockDuration on a timer, so a slow endpoint (up to NOTIFY_HTTP_TIMEOUT_MS) keeps its lock.
 */
const JOB_LOCK = { lockDuration: 15_000, stalledInterval: 5_000 } as const;

/**
 * Starts the dispatcher (alerts queue) and one worker per configured sink (its own queue). Resolves
 * once every worker and queue is connected to Redis.
 */
export async function runNotifier(
  config: SharedConfig & { notifier: NotifierConfig },
  log: Logger,
): Promise<Service> {
  const settings = config.notifier;
  const prefix = config.redis.bullmqPrefix;
  // Options, not a shared client: BullMQ then opens its own connections per Queue and Worker (a
  // worker's blocking BZPOPMIN must not share one), and closes them on close().
  // maxRetriesPerRequest: null is what BullMQ requires for workers (it would override it anyway).
  // (A `{ url }` object is not parsed by ioredis: it silently connected to 127.0.0.1:6379.)
  const queueConnection: ConnectionOptions = redisConnectionOptions(config.redis);
  const workerConnection: ConnectionOptions = { ...queueConnection, maxRetriesPerRequest: null };

  const sinks = createSinks(settings, {
    post: createHttpPost(settings.httpTimeoutMs),
    log,
    runbookBaseUrl: settings.runbookBaseUrl,
    now: () => Date.now(),
  });
  if (sinks.length === 0) log.warn({}, 'no sink is configured; alerts will not be sent anywhere');

  const onError = (kind: string, queue: string) => (error: Error) =>
    // Without a listener, an 'error' event (Redis down) is an uncaught exception (BullMQ #239, #666).
    log.error({ kind, queue, error: `${error.name}: ${error.message}` }, 'bullmq error');

  const queues = new Map<SinkId, Queue>();
  const sinkWorkers: Worker[] = [];
  for (const { id, sink } of sinks) {
    const name = QUEUES.sink(id);
    const queue = new Queue(name, { connection: queueConnection, prefix });
    queue.on('error', onError('queue', name));
    queues.set(id, queue);
    const ledger = createDeliveryLedger(() => queue.client, prefix);
    const worker = new Worker(
      name,
      createDeliveryProcessor(id, sink, ledger, log, (jobId) => queue.getJobState(jobId)),
      {
        connection: workerConnection,
        prefix,
        concurrency: settings.concurrency,
        ...JOB_LOCK,
        settings: {
          backoffStrategy: (attemptsMade, _type, error) =>
            retryDelayMs(attemptsMade, settings.backoffMs, error),
        },
      },
    );
    worker.on('error', onError('worker', name));
    sinkWorkers.push(worker);
  }

  // Only read: the dispatcher looks up the previous state change of an incident (ordering.ts).
  const alertsQueue = new Queue(QUEUES.alerts, { connection: queueConnection, prefix });
  alertsQueue.on('error', onError('queue', QUEUES.alerts));
  const dispatcher = new Worker(
    QUEUES.alerts,
    createDispatchProcessor({
      config: settings,
      queues,
      log,
      alertJobState: (jobId) => alertsQueue.getJobState(jobId),
    }),
    { connection: workerConnection, prefix, concurrency: settings.concurrency, ...JOB_LOCK },
  );
  dispatcher.on('error', onError('worker', QUEUES.alerts));

  let stopping: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      log.info({}, 'notifier stopping: letting running jobs finish');
      // Order matters: the dispatcher adds to the sink queues, so it stops before they close.
      await dispatcher.close();
      await Promise.all(sinkWorkers.map((worker) => worker.close()));
      await Promise.all([...queues.values(), alertsQueue].map((queue) => queue.close()));
      log.info({}, 'notifier stopped');
    })();
    return stopping;
  }

  try {
    await Promise.all([
      dispatcher.waitUntilReady(),
      ...sinkWorkers.map((worker) => worker.waitUntilReady()),
      ...[...queues.values(), alertsQueue].map((queue) => queue.waitUntilReady()),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  log.info(
    {
      prefix,
      sinks: sinks.map(({ id, sink }) => ({ sink: id, host: sink.target })),
      concurrency: settings.concurrency,
      attempts: settings.attempts,
    },
    'notifier running',
  );
  return serviceClosedBy(stop);
}
