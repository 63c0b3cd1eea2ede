import type { SharedConfig } from '@denyscope/config';
import type { Logger } from '@denyscope/telemetry';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import {
  MessageTooLargeError,
  type GroupConsumer,
  type GroupConsumerOptions,
  type KafkaClient,
  type MessageToSend,
  type ReliableProducer,
  type TopicSpec,
} from '../client.js';
import { createKafka } from '../kafka-client.js';
import { KafkajsGroupConsumer } from './consumer.js';

/** KafkaClient on kafkajs (KAFKA_CLIENT=kafkajs, the default). */
export class KafkajsClient implements KafkaClient {
  readonly name = 'kafkajs' as const;
  readonly kafka: Kafka;

  constructor(config: SharedConfig, log: Logger, role?: string) {
    this.kafka = createKafka(config, log, role);
  }

  consumer(options: GroupConsumerOptions): GroupConsumer {
    return new KafkajsGroupConsumer(this.kafka, options);
  }

  /**
   * Not idempotent: kafkajs's idempotence wants unbounded retries (it warns "Limiting retries for
   * the idempotent producer may invalidate EoS guarantees" with ours), and ingest retries a failed
   * flush itself, which re-sends anyway. A dead letter may then arrive twice; its source
   * topic/partition/offset headers identify it. One request in flight keeps the order.
   */
  producer(): ReliableProducer {
    return new KafkajsProducer(
      this.kafka.producer({
        maxInFlightRequests: 1,
        // Dead letters are not keyed; the partitioner is named so kafkajs has nothing to warn about.
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    );
  }

  async listTopics(): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await admin.listTopics();
    } finally {
      await admin.disconnect();
    }
  }

  async createTopic(spec: TopicSpec): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: spec.topic,
            numPartitions: spec.partitions,
            configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({
              name,
              value,
            })),
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  }
}

class KafkajsProducer implements ReliableProducer {
  constructor(private readonly producer: Producer) {}

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(topic: string, messages: readonly MessageToSend[]): Promise<void> {
    try {
      await this.producer.send({ topic, acks: -1, messages: messages as Message[] });
    } catch (error) {
      if ((error as { type?: unknown } | null)?.type === 'MESSAGE_TOO_LARGE')
        throw new MessageTooLargeError(error);
      throw error;
    }
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
