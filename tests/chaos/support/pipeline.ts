import type { ClickHouseClient } from '@denyscope/clickhouse';
import { INGEST_NODE_ARGS } from '@denyscope/ingest';
import {
  createTopic,
  deleteTopics,
  dropDatabase,
  migratedDatabase,
  startService,
  testKafka,
  testNames,
  type ServiceProcess,
} from '@denyscope/testkit';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { chaosStack } from './chaos-stack.js';
import { StreamProducer } from './producer.js';
import { ROUTING_KEY, startSinkReceivers, WEBHOOK_SECRET, type SinkReceivers } from './sinks.js';

export type Command = 'ingest' | 'detect' | 'notify';

export interface PipelineOptions {
  /** Part of every name (topic, group, database, Redis prefix, log folder). */
  name: string;
  /** Partitions of the source topic. Default 2. */
  partitions?: number;
  /** Settings for every service, over the suite's defaults (see `serviceEnv`). */
  env?: Record<string, string>;
  /** The webhook receiver answers after this long. */
  webhookDelayMs?: number;
}

export interface Pipeline {
  topic: string;
  dlqTopic: string;
  groupId: string;
  database: string;
  prefix: string;
  kafka: Kafka;
  /** Valid once beforeAll ran. */
  clickhouse(): ClickHouseClient;
  receivers(): SinkReceivers;
  producer(): StreamProducer;
  /** `denyscope <command>` against the private stack; every process is stopped after the file. */
  start(command: Command, env?: Record<string, string>): ServiceProcess;
  /** SIGKILL, and wait until the process is gone. */
  kill(service: ServiceProcess): Promise<void>;
  /** Everything the processes of `command` wrote, oldest first. */
  output(command: Command): string;
}

/**
 * Detector settings that let a stream of a few wall-clock minutes run through whole incident
 * lives: one evaluation per second; resolve after 150 s of quiet event time (the labelled attacks
 * spread their requests evenly, up to about 60 s apart, and an incident that resolves between two
 * of them opens again: a second incident for one attack); 30 s of lateness, so that the two
 * partitions may drift apart a little without their slower events landing behind closed windows.
 */
const DETECTOR_ENV = {
  DETECT_INTERVAL_MS: '1000',
  DETECT_RESOLVE_AFTER_MS: '150000',
  DETECT_ALLOWED_LATENESS_MS: '30000',
};

/**
 * A whole pipeline for one scenario file: its own topic, consumer group, ClickHouse database and
 * BullMQ prefix on the private stack; the Slack, PagerDuty and webhook stand-ins; and the
 * services, started by the test as it needs them. Everything is removed after the file, even
 * when a test failed, and the services' output is kept in `.stack-chaos/runs/<name>-<suffix>/`.
 */
export function usePipeline(options: PipelineOptions): Pipeline {
  const names = testNames(`chaos-${options.name}`);
  const prefix = `chaos-${options.name}-${names.suffix}`;
  const kafka = testKafka(chaosStack.endpoints.KAFKA_BROKERS);
  const processes: { command: Command; service: ServiceProcess }[] = [];
  let client: ClickHouseClient | undefined;
  let receivers: SinkReceivers | undefined;
  let producer: StreamProducer | undefined;

  const serviceEnv = (): Record<string, string> => {
    const r = receivers;
    if (r === undefined) throw new Error('services start once beforeAll ran');
    return {
      ...chaosStack.endpoints,
      KAFKA_TOPIC: names.topic,
      KAFKA_GROUP_ID: names.groupId,
      // A killed member's partitions move on after 6 s instead of 30.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      CLICKHOUSE_DATABASE: names.database,
      BULLMQ_PREFIX: prefix,
      INGEST_FLUSH_INTERVAL_MS: '500',
      INGEST_RETRY_MAX_MS: '2000',
      ...DETECTOR_ENV,
      WEBHOOK_URL: r.webhook.url,
      WEBHOOK_SECRET,
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: `${r.pagerduty.url}/v2/enqueue`,
      SLACK_WEBHOOK_URL: `${r.slack.url}/services/T000/B000/XXXX`,
      NOTIFY_BACKOFF_MS: '200',
      ...options.env,
    };
  };

  beforeAll(async () => {
    receivers = await startSinkReceivers(options.webhookDelayMs);
    client = await migratedDatabase(names.database, chaosStack.endpoints.CLICKHOUSE_URL);
    await createTopic(kafka, names.topic, options.partitions ?? 2);
    producer = new StreamProducer(kafka, names.topic);
  });

  afterAll(async () => {
    // Every step runs even if an earlier one failed; the first failure is reported at the end.
    const failures: unknown[] = [];
    const step = async (work: () => unknown) => {
      try {
        await work();
      } catch (error) {
        failures.push(error);
      }
    };
    // A failed test may have left a part of the stack down (or a service frozen).
    await step(() => chaosStack.up());
    await step(() => Promise.all(processes.map(({ service }) => stopWithin(service, 15_000))));
    await step(() => saveOutputs(`${options.name}-${names.suffix}`, processes));
    await step(() => producer?.close());
    await step(() => Promise.all(Object.values(receivers ?? {}).map((r) => r.close())));
    await step(() => client?.close());
    await step(() => dropDatabase(names.database, chaosStack.endpoints.CLICKHOUSE_URL));
    await step(() => deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]));
    await step(() => deleteRedisKeys(chaosStack.endpoints.REDIS_URL, prefix));
    if (failures.length > 0) throw failures[0];
  }, 120_000);

  const byCommand = (command: Command) =>
    processes.filter((p) => p.command === command).map((p) => p.service);

  return {
    topic: names.topic,
    dlqTopic: `${names.topic}.dlq`,
    groupId: names.groupId,
    database: names.database,
    prefix,
    kafka,
    clickhouse: () => {
      if (client === undefined) throw new Error('the ClickHouse client exists once beforeAll ran');
      return client;
    },
    receivers: () => {
      if (receivers === undefined) throw new Error('the receivers exist once beforeAll ran');
      return receivers;
    },
    producer: () => {
      if (producer === undefined) throw new Error('the producer exists once beforeAll ran');
      return producer;
    },
    start(command, env = {}) {
      // Ingest runs as deployed: with its bounded heap (npm start, docker-compose).
      const nodeArgs = command === 'ingest' ? INGEST_NODE_ARGS : [];
      const service = startService(command, { ...serviceEnv(), ...env }, { nodeArgs });
      processes.push({ command, service });
      return service;
    },
    async kill(service) {
      service.child.kill('SIGKILL');
      await service.exited;
    },
    output: (command) =>
      byCommand(command)
        .map((p) => p.output())
        .join(''),
  };
}

async function stopWithin(service: ServiceProcess, ms: number): Promise<void> {
  service.child.kill('SIGCONT'); // in case a test froze it and failed before thawing it
  const timer = setTimeout(() => service.child.kill('SIGKILL'), ms);
  await service.stop();
  clearTimeout(timer);
}

function saveOutputs(run: string, processes: { command: Command; service: ServiceProcess }[]) {
  const dir = join(chaosStack.settings.DENYSCOPE_STACK_DIR, 'runs', run);
  mkdirSync(dir, { recursive: true });
  processes.forEach(({ command, service }, i) =>
    writeFileSync(join(dir, `${String(i).padStart(2, '0')}-${command}.log`), service.output()),
  );
}

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
