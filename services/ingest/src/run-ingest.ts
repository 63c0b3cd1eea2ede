import { createClickHouseClient, dropExpiredPartitions } from '@denyscope/clickhouse';
import { createIngestMetrics, type Logger } from '@denyscope/telemetry';
import { ClickHouseWriter } from '@denyscope/intake';
import type { IngestServiceConfig } from './config.js';
import { IngestService } from './ingest-service.js';
import { NO_FLUSH_HINTS, redisFlushHints } from './flush-hints.js';
import { createKafkaClient, ensureDeadLetterTopic, waitForTopic } from '@denyscope/kafka';
import type { Service } from '@denyscope/runtime';

const RETENTION_EVERY_MS = 60 * 60 * 1000;
const DRAIN_GRACE_MS = 25_000;

/**
 * How ingest fetches live traffic. With Kafka's default fetch.min.bytes of 1, a consumer that
 * keeps up is answered as soon as anything arrived: at 5,000 events/s ingest took 2,000–2,500
 * batches a second of about 2 messages each and spent 3–6 CPU s per 100k events instead of
 * 1.6–2 (@platformatic/kafka about 10 instead of 1.8–2; bench/README.md, "What was changed").
 * The broker now answers once 1 MiB (≈ 2,300 events) is there, or after `maxWaitMs`, whichever
 * comes first. 200 ms because an event must still reach ingest within ~200 ms of being produced
 * at every rate: it then waits for the next flush (INGEST_FLUSH_INTERVAL_MS), and alert latency
 * is the sum (issue 15). Below ~12,000 events/s each fetch waits the 200 ms (5 fetches a second);
 * above, 1 MiB comes sooner. Capped at KAFKA_FETCH_MAX_BYTES, which a fetch cannot exceed.
 */
function liveFetch(fetchMaxBytes: number) {
  return { maxWaitMs: 200, fetchMinBytes: Math.min(1_048_576, fetchMaxBytes) };
}

/**
 * Starts the ingest service and wires its life cycle: SIGTERM/SIGINT drain it (flush, commit,
 * leave the group); a batch that can never be stored stops it with exit code 1, uncommitted.
 * `signal` aborts a start that is still waiting (for the source topic): runIngest then cleans up
 * and rejects with the signal's reason.
 */
export async function runIngest(
  config: IngestServiceConfig,
  log: Logger,
  { signal }: { signal?: AbortSignal } = {},
): Promise<Service> {
  const metrics = createIngestMetrics();
  // KAFKA_CLIENT: kafkajs (default) or @platformatic/kafka, behind one interface.
  const kafka = await createKafkaClient(config, log);
  // Ingest's inserts are not bounded by the read-side query limits (docs/clickhouse-users.md).
  const clickhouse = createClickHouseClient(config.clickhouse, { queryLimits: null });
  const producer = kafka.producer();
  const consumer = kafka.consumer({
    groupId: config.kafka.groupId,
    // How long a crashed member holds its partitions before the group hands them on.
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    // Fetch sizes bound memory (see KAFKA_FETCH_MAX_BYTES); a fetch of a few MB is already
    // thousands of messages, so larger ones buy no throughput.
    fetchMaxBytes: config.kafka.fetchMaxBytes,
    fetchMaxBytesPerPartition: config.kafka.fetchMaxBytesPerPartition,
    ...liveFetch(config.kafka.fetchMaxBytes),
  });
  const writer = new ClickHouseWriter(clickhouse, (table, _rows, ms) =>
    metrics.recordInsertLatency(table, ms),
  );

  // DETECT_ON_FLUSH: the detector evaluates as soon as a flush landed (docs/rules.md).
  const hints = config.pipeline.onFlush ? redisFlushHints(config, log) : NO_FLUSH_HINTS;

  let finish: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  let stopping: Promise<number> | null = null;

  const service = new IngestService({
    config,
    log,
    metrics,
    consumer,
    producer,
    writer,
    hints,
    onFatal: () => void stop(1),
  });

  const retention = setInterval(() => {
    dropExpiredPartitions(clickhouse, config.clickhouse.database, config.clickhouse.retentionDays)
      .then((dropped) => dropped.length > 0 && log.info({ dropped }, 'expired partitions dropped'))
      .catch((error: unknown) => log.warn({ err: error }, 'retention run failed; will try again'));
  }, RETENTION_EVERY_MS);
  retention.unref();

  const stats = setInterval(() => log.info(metrics.snapshot(), 'ingest stats'), 60_000);
  stats.unref();

  function stop(code = 0): Promise<number> {
    stopping ??= (async () => {
      clearInterval(retention);
      clearInterval(stats);
      log.info({}, 'stopping: draining the pending batch');
      const drained = await service.drain(DRAIN_GRACE_MS);
      await consumer
        .disconnect()
        .catch((error: unknown) => log.warn({ err: error }, 'consumer disconnect failed'));
      await producer
        .disconnect()
        .catch((error: unknown) => log.warn({ err: error }, 'producer disconnect failed'));
      await clickhouse.close();
      await hints.close();
      const exitCode = drained ? code : 1;
      log.info({ exitCode, ...metrics.snapshot() }, 'ingest stopped');
      finish(exitCode);
      return exitCode;
    })();
    return stopping;
  }

  try {
    await waitForTopic(kafka, config.kafka.topic, log, { signal });
  } catch (error) {
    if (signal?.aborted) await stop(0);
    throw error;
  }
  await ensureDeadLetterTopic(kafka, config);
  await producer.connect();
  await consumer.connect();
  await service.start();
  log.info(
    {
      topic: config.kafka.topic,
      dlqTopic: config.kafka.dlqTopic,
      groupId: config.kafka.groupId,
      kafkaClient: kafka.name,
      // How long a crashed member holds its partitions before the group hands them on.
      sessionTimeout: config.kafka.sessionTimeoutMs,
      database: config.clickhouse.database,
      flushHints: config.pipeline.onFlush,
    },
    'ingest running',
  );
  return { stopped, stop };
}
