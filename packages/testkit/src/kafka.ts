import {
  Kafka,
  logLevel,
  Partitioners,
  type IHeaders,
  type KafkaConfig,
  type Message,
} from 'kafkajs';
import { stackEnv } from './stack-env.js';
import { waitFor } from './wait-for.js';

/**
 * `brokers`: the Kafka of another stack than the shared one (e.g. a private or the secured
 * stack's); `security`: its `ssl`/`sasl` (kafkajsSecurity of @denyscope/kafka builds them).
 */
export function testKafka(
  brokers = stackEnv.KAFKA_BROKERS,
  security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {},
): Kafka {
  return new Kafka({
    clientId: 'denyscope-test',
    brokers: brokers.split(','),
    ...security,
    logLevel: logLevel.NOTHING,
  });
}

export async function createTopic(kafka: Kafka, topic: string, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions }],
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  } finally {
    await admin.disconnect();
  }
}

/** Produces raw values (objects are JSON-encoded) in chunks; keys spread them over partitions. */
export async function produce(
  kafka: Kafka,
  topic: string,
  values: readonly (object | string | Buffer)[],
  chunk = 2_000,
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += chunk) {
      const messages: Message[] = values.slice(i, i + chunk).map((value, j) => ({
        key: String(i + j),
        value: Buffer.isBuffer(value)
          ? value
          : typeof value === 'string'
            ? value
            : JSON.stringify(value),
      }));
      await producer.send({ topic, messages, acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ConsumedRecord {
  value: Buffer | null;
  headers: Record<string, string>;
}

function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value.toString();
  }
  return out;
}

/** Reads a topic from the beginning until `count` records arrived or the timeout passed. */
export async function consumeAll(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      'topic ' + topic,
      () => admin.listTopics(),
      (topics) => topics.includes(topic),
      {
        timeoutMs,
      },
    );
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          records.push({ value: message.value, headers: headersAsStrings(message.headers) });
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
