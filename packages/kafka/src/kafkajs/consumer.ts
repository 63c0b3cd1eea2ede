import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type {
  GroupConsumer,
  GroupConsumerHandlers,
  GroupConsumerOptions,
  OffsetToCommit,
  PartitionBatch,
} from '../client.js';

/** GroupConsumer on kafkajs's eachBatch, with autoCommit and auto-resolve off. */
export class KafkajsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private topic = '';

  constructor(kafka: Kafka, options: GroupConsumerOptions) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      maxBytes: options.fetchMaxBytes,
      maxBytesPerPartition: options.fetchMaxBytesPerPartition,
      maxWaitTimeInMs: options.maxWaitMs,
      minBytes: options.fetchMinBytes,
    });
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  async run(topic: string, fromBeginning: boolean, handlers: GroupConsumerHandlers): Promise<void> {
    const { consumer } = this;
    this.topic = topic;
    // kafkajs starts every partition again from its committed offset after a rebalance (a new
    // OffsetManager per generation): that is onAssigned's promise. A restart after a crash
    // rejoins, so it is announced by GROUP_JOIN as well.
    consumer.on(consumer.events.GROUP_JOIN, (event) =>
      handlers.onAssigned(event.payload.memberAssignment),
    );
    consumer.on(consumer.events.CRASH, (event) =>
      handlers.onCrash(event.payload.error, event.payload.restart),
    );
    await consumer.subscribe({ topics: [topic], fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => handlers.onBatch(toBatch(payload)),
    });
  }

  pause(): void {
    this.consumer.pause([{ topic: this.topic }]);
  }

  resume(): void {
    this.consumer.resume([{ topic: this.topic }]);
  }

  commit(offsets: readonly OffsetToCommit[]): Promise<void> {
    return this.consumer.commitOffsets([...offsets]);
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
}

function toBatch(payload: EachBatchPayload): PartitionBatch {
  const { batch } = payload;
  return {
    topic: batch.topic,
    partition: batch.partition,
    // kafkajs's messages carry more fields; the handler reads offset, key and value.
    messages: batch.messages,
    firstOffset: () => batch.firstOffset(),
    lagAfter: () => batch.offsetLag(),
    isRunning: () => payload.isRunning(),
    isStale: () => payload.isStale(),
    markTaken: (offset) => payload.resolveOffset(offset),
    keepAlive: () => payload.heartbeat(),
    pausePartition: () => payload.pause(),
  };
}
