export { createKafka } from './kafka-client.js';
export { kafkajsSecurity } from './security.js';
export { createKafkaClient } from './create-client.js';
export { ensureDeadLetterTopic, waitForTopic } from './topics.js';
export {
  MessageTooLargeError,
  type ConsumedMessage,
  type GroupConsumer,
  type GroupConsumerHandlers,
  type GroupConsumerOptions,
  type KafkaClient,
  type MessageToSend,
  type OffsetToCommit,
  type PartitionBatch,
  type ReliableProducer,
  type TopicSpec,
} from './client.js';
