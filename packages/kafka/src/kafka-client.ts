import type { Config } from '@denyscope/config';
import type { Logger } from '@denyscope/telemetry';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { kafkajsSecurity } from './security.js';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose own logs go through our pino logger (object first, as JSON), secured as
 * configured (KAFKA_SSL*, KAFKA_SASL_*). `role` suffixes the client id (e.g. `simulator`) so
 * brokers can tell the programs apart.
 */
export function createKafka(config: Config, log: Logger, role?: string): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: role === undefined ? config.kafka.clientId : `${config.kafka.clientId}-${role}`,
    brokers: config.kafka.brokers,
    ...kafkajsSecurity(config.kafka),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        kafkaLog[LEVEL_NAMES[level] ?? 'info'](fields, message);
      },
    retry: { initialRetryTime: 300, retries: 8 },
  });
}

/**
 * Makes sure the dead-letter topic exists, with room for the largest message the source may carry
 * plus our headers. An existing topic is left as it is.
 */
export async function ensureDeadLetterTopic(kafka: Kafka, config: Config): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(config.kafka.dlqTopic)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: config.kafka.dlqTopic,
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: String(16 * 1024 * 1024) }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the source topic exists. Subscribing to a missing topic fails at once in kafkajs
 * ("This server does not host this topic-partition"), which would make a freshly deployed ingest
 * crash-loop until producers create the topic; waiting with a clear log line is kinder.
 */
export async function waitForTopic(
  kafka: Kafka,
  topic: string,
  log: Logger,
  maxDelayMs = 30_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt += 1) {
      if ((await admin.listTopics()).includes(topic)) return;
      const delay = Math.min(maxDelayMs, 500 * 2 ** attempt);
      log.warn({ topic, retryInMs: delay }, 'source topic does not exist yet; waiting for it');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  } finally {
    await admin.disconnect();
  }
}
