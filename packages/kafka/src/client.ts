// The Kafka surface ingest uses, in our terms, so that the client library behind it can be chosen
// (KAFKA_CLIENT: kafkajs, the default, or @platformatic/kafka; docs/kafka-clients.md). It is the
// smallest that keeps ingest's guarantees: a batch's offsets are committed only after ClickHouse
// stored it, and a (re)assigned partition is read again from its committed offset.

import type { KafkaClientName } from '@denyscope/config';

/** One consumed record. Offsets are decimal strings (int64). */
export interface ConsumedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** Consecutive messages of one partition, handed to the batch handler. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: readonly ConsumedMessage[];
  /** Offset of the first message; null for an empty batch. */
  firstOffset(): string | null;
  /**
   * Messages left in the partition after this batch when it was fetched: high watermark − 1 − the
   * batch's last offset, a decimal string. Can be negative (a fetch may hold records past the high
   * watermark it reports); callers clamp it.
   */
  lagAfter(): string;
  /** False once the consumer is stopping: take no more messages. */
  isRunning(): boolean;
  /**
   * True once the group was rebalanced (or the consumer restarted) after this batch was handed
   * out: its messages will be delivered again from the committed offset, so take no more.
   */
  isStale(): boolean;
  /**
   * Marks messages up to and including `offset` as taken. Messages after it are delivered again
   * in the partition's next batch (nothing is committed by this).
   */
  markTaken(offset: string): void;
  /** Keeps the group membership alive while the handler waits (a slow flush). */
  keepAlive(): Promise<void>;
  /**
   * Stops handing out this partition; its untaken messages come again after the returned
   * function is called.
   */
  pausePartition(): () => void;
}

export interface GroupConsumerHandlers {
  /** Called for each batch, one at a time; the next batch waits for the returned promise. */
  onBatch(batch: PartitionBatch): Promise<void>;
  /**
   * The member (re)joined the group, or restarted after a crash: every partition it now holds is
   * read again from its committed offset, so messages taken but not committed come back.
   * `assignment`: partitions per topic.
   */
  onAssigned(assignment: Record<string, number[]>): void;
  /** The consumer failed; `restarting`: it rejoins by itself (then onAssigned follows). */
  onCrash(error: unknown, restarting: boolean): void;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  /** The next offset to read (last stored + 1), a decimal string. */
  offset: string;
}

/** A consumer-group member with manual commits, reading one topic in per-partition batches. */
export interface GroupConsumer {
  connect(): Promise<void>;
  /** Joins the group and starts handing out batches; resolves once running. */
  run(topic: string, fromBeginning: boolean, handlers: GroupConsumerHandlers): Promise<void>;
  /** Stops handing out batches of the topic (the batch being handled finishes). */
  pause(): void;
  resume(): void;
  commit(offsets: readonly OffsetToCommit[]): Promise<void>;
  /** Leaves the group and closes the connections. */
  disconnect(): Promise<void>;
}

export interface GroupConsumerOptions {
  groupId: string;
  /** How long a crashed member holds its partitions before the group hands them on. */
  sessionTimeoutMs: number;
  /** Upper bound of one fetch response, all partitions together. */
  fetchMaxBytes: number;
  fetchMaxBytesPerPartition: number;
  /** How long the broker may hold a fetch open waiting for `fetchMinBytes`. */
  maxWaitMs: number;
  /**
   * The broker answers a fetch once it has this many bytes for it (or after `maxWaitMs`). With 1,
   * a consumer that keeps up with live traffic fetches again and again for a few messages each.
   */
  fetchMinBytes: number;
}

export interface MessageToSend {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A producer with acks from all in-sync replicas and one request in flight (order kept). */
export interface ReliableProducer {
  connect(): Promise<void>;
  /** Throws MessageTooLargeError when the broker refuses the request as too large. */
  send(topic: string, messages: readonly MessageToSend[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** The broker refused a produce request because a message (or the request) is too large. */
export class MessageTooLargeError extends Error {
  constructor(cause: unknown) {
    super('Kafka refused the message as too large (MESSAGE_TOO_LARGE)', { cause });
    this.name = 'MessageTooLargeError';
  }
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Topic-level configuration, e.g. max.message.bytes. */
  config?: Record<string, string>;
}

export interface KafkaClient {
  readonly name: KafkaClientName;
  consumer(options: GroupConsumerOptions): GroupConsumer;
  producer(): ReliableProducer;
  /** Names of the topics on the cluster. */
  listTopics(): Promise<string[]>;
  /**
   * Creates a topic and waits for its partition leaders. A topic that already exists (another
   * instance created it first) is not an error; its settings are left as they are.
   */
  createTopic(spec: TopicSpec): Promise<void>;
}
