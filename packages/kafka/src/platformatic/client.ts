import type { SharedConfig } from '@denyscope/config';
import { backoffDelay } from '@denyscope/runtime';
import type { Logger } from '@denyscope/telemetry';
import { Admin, Consumer, Producer, stringSerializer, type BaseOptions } from '@platformatic/kafka';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  MessageTooLargeError,
  type GroupConsumer,
  type GroupConsumerOptions,
  type KafkaClient,
  type MessageToSend,
  type ReliableProducer,
  type TopicSpec,
} from '../client.js';
import { PlatformaticGroupConsumer } from './consumer.js';
import { platformaticSecurity } from './security.js';

const RETRIES = 8;

/**
 * KafkaClient on @platformatic/kafka (KAFKA_CLIENT=platformatic; Node.js ≥ 22.22, checked by
 * loadConfig). This module is imported only when that client is chosen, so Node 20 with kafkajs
 * never loads the library.
 */
export class PlatformaticClient implements KafkaClient {
  readonly name = 'platformatic' as const;
  private readonly base: BaseOptions;

  constructor(
    config: SharedConfig,
    private readonly log: Logger,
    role?: string,
  ) {
    this.base = {
      clientId: role === undefined ? config.kafka.clientId : `${config.kafka.clientId}-${role}`,
      bootstrapBrokers: config.kafka.brokers,
      ...platformaticSecurity(config.kafka),
      // kafkajs here retries 8 times from 300 ms, doubling; the same schedule, capped at 30 s.
      retries: RETRIES,
      retryDelay: (_client, _operation, attempt) =>
        backoffDelay(attempt, { initialMs: 300, maxMs: 30_000 }),
    };
  }

  consumer(options: GroupConsumerOptions): GroupConsumer {
    const consumer = new Consumer({
      ...this.base,
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      // As kafkajs: a rebalance waits up to 60 s for members, heartbeats every 3 s at most.
      rebalanceTimeout: Math.max(60_000, options.sessionTimeoutMs),
      heartbeatInterval: Math.min(3_000, Math.floor(options.sessionTimeoutMs / 3)),
      maxBytes: options.fetchMaxBytes,
      maxBytesPerPartition: options.fetchMaxBytesPerPartition,
      maxWaitTime: options.maxWaitMs,
      minBytes: options.fetchMinBytes,
      autocommit: false,
      // Messages the stream buffers ahead of the reader, on top of one fetch response. The
      // library's default (1024) is tuned for one-by-one readers; batches want a little more.
      highWaterMark: 4_096,
    });
    return new PlatformaticGroupConsumer(consumer, this.log.child({ component: 'platformatic' }));
  }

  producer(): ReliableProducer {
    return new PlatformaticProducer(
      new Producer({
        ...this.base,
        idempotent: true,
        acks: -1,
        serializers: { headerKey: stringSerializer, headerValue: stringSerializer },
      }),
    );
  }

  async listTopics(): Promise<string[]> {
    const admin = new Admin(this.base);
    try {
      return await admin.listTopics();
    } finally {
      await admin.close();
    }
  }

  async createTopic(spec: TopicSpec): Promise<void> {
    const admin = new Admin(this.base);
    try {
      try {
        await admin.createTopics({
          topics: [spec.topic],
          partitions: spec.partitions,
          configs: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
        });
      } catch (error) {
        // Another instance created it between our look and our create (replicas starting
        // together): what was wanted exists, as kafkajs treats it.
        if (!hasApiError(error, 'TOPIC_ALREADY_EXISTS')) throw error;
      }
      // As kafkajs's waitForLeaders: the topic is usable once every partition has a leader.
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const metadata = await admin.metadata({ topics: [spec.topic], forceUpdate: true });
        const partitions = metadata.topics.get(spec.topic)?.partitions ?? [];
        if (partitions.length === spec.partitions && partitions.every((p) => p.leader >= 0)) return;
        await sleep(100);
      }
    } finally {
      await admin.close();
    }
  }
}

/** Whether the broker answered with `apiId` anywhere in the library's nested errors. */
function hasApiError(error: unknown, wanted: string, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const { apiId, errors, cause } = error as { apiId?: unknown; errors?: unknown; cause?: unknown };
  if (apiId === wanted) return true;
  if (Array.isArray(errors) && errors.some((e) => hasApiError(e, wanted, depth + 1))) return true;
  return hasApiError(cause, wanted, depth + 1);
}

class PlatformaticProducer implements ReliableProducer {
  constructor(private readonly producer: Producer<Buffer, Buffer, string, string>) {}

  async connect(): Promise<void> {
    // Connects and fails fast on refused credentials; the producer id is taken on first send.
    await this.producer.listApis();
  }

  async send(topic: string, messages: readonly MessageToSend[]): Promise<void> {
    try {
      await this.producer.send({
        acks: -1,
        messages: messages.map(({ key, value, headers }) => ({
          topic,
          ...(key === null ? {} : { key }),
          ...(value === null ? {} : { value }),
          headers,
        })),
      });
    } catch (error) {
      if (hasApiError(error, 'MESSAGE_TOO_LARGE')) throw new MessageTooLargeError(error);
      throw error;
    }
  }

  disconnect(): Promise<void> {
    return this.producer.close();
  }
}
