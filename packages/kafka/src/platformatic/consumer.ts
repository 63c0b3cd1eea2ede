import type { Logger } from '@denyscope/telemetry';
import type { Consumer, GroupAssignment, Message, MessagesStream } from '@platformatic/kafka';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ConsumedMessage,
  GroupConsumer,
  GroupConsumerHandlers,
  OffsetToCommit,
  PartitionBatch,
} from '../client.js';
import { EPOCH, FetchTap } from './fetch-tap.js';

/** Messages moved from the stream's buffer into the partition queues per read. */
const READ_AT_MOST = 20_000;
/** Before a partition's refused batch is offered again (it was refused without a pause). */
const REFUSED_RETRY_MS = 100;
const RESTART_DELAY_MS = 1_000;

interface PartitionQueue {
  messages: ConsumedMessage[];
  paused: boolean;
}

/**
 * GroupConsumer on @platformatic/kafka. The library hands out single messages from a stream; this
 * reads what the stream has buffered, groups it per partition and hands the batches out one at a
 * time, as kafkajs's eachBatch does. Not reading is the backpressure: the stream stops fetching
 * once its buffer holds `highWaterMark` messages. Heartbeats run on the library's own timer, so
 * keepAlive has nothing to do. On every group join the epoch advances: batches handed out before
 * are stale, queued and buffered messages are dropped, and each partition is read again from its
 * committed offset (the stream reads them; positions it held are removed first, or a partition
 * without a committed offset would resume after messages ingest dropped).
 */
export class PlatformaticGroupConsumer implements GroupConsumer {
  private readonly tap: FetchTap;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private readonly queues = new Map<number, PartitionQueue>();
  private topic = '';
  private fromBeginning = true;
  private handlers: GroupConsumerHandlers | undefined;
  private paused = false;
  private stopped = false;
  private joins = 0;
  private crashing = false;
  private wake: () => void = () => undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Consumer,
    private readonly log: Logger,
  ) {
    this.tap = new FetchTap(consumer);
  }

  async connect(): Promise<void> {
    // The library connects on first use; asking for the broker's API versions surfaces an
    // unreachable broker or refused credentials here, at start-up, as kafkajs's connect does.
    await this.consumer.listApis();
  }

  async run(topic: string, fromBeginning: boolean, handlers: GroupConsumerHandlers): Promise<void> {
    this.topic = topic;
    this.fromBeginning = fromBeginning;
    this.handlers = handlers;
    // Registered before the stream exists, so it runs before the stream's own join listener.
    this.consumer.on('consumer:group:join', ({ assignments }) => this.onJoin(assignments ?? []));
    this.consumer.on('consumer:heartbeat:error', ({ error }) =>
      this.log.warn({ err: error }, 'Kafka heartbeat failed; retrying'),
    );
    // A failed rejoin is emitted as 'error' (unhandled, it would end the process); so is a
    // heartbeat that stalls. Both leave the member outside the group: consume anew, which rejoins.
    this.consumer.on('error', (error) => this.crash(error));
    this.consumer.on('consumer:heartbeat:stalled', ({ lastError }) =>
      this.crash(lastError ?? new Error('Kafka heartbeats stalled')),
    );
    await this.startStream();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  async commit(offsets: readonly OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commit({
      offsets: offsets.map(({ topic, partition, offset }) => ({
        topic,
        partition,
        offset: BigInt(offset),
        // Unknown: the broker then skips the leader-epoch check (KIP-320), as for kafkajs.
        leaderEpoch: -1,
      })),
    });
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.stream?.close();
    await this.loop;
    await this.consumer.close();
  }

  private async startStream(): Promise<void> {
    const joinsBefore = this.joins;
    const stream = await this.consumer.consume({
      topics: [this.topic],
      autocommit: false,
      mode: 'committed',
      fallbackMode: this.fromBeginning ? 'earliest' : 'latest',
    });
    // A restart that did not rejoin (membership intact) must still start partitions over.
    if (this.joins === joinsBefore && this.crashing) this.onJoin(this.consumer.assignments ?? []);
    this.stream = stream;
    stream.on('readable', () => this.wake());
    stream.on('error', (error) => this.crash(error));
    this.loop = this.readLoop(stream);
  }

  private onJoin(assignments: GroupAssignment[]): void {
    this.joins += 1;
    this.tap.epoch += 1;
    this.queues.clear();
    for (const { topic, partitions } of assignments)
      for (const partition of partitions)
        this.stream?.offsetsToFetch.delete(`${topic}:${partition}`);
    this.handlers?.onAssigned(
      Object.fromEntries(assignments.map(({ topic, partitions }) => [topic, [...partitions]])),
    );
    this.wake();
  }

  private crash(error: unknown): void {
    if (this.stopped || this.crashing) return;
    this.crashing = true;
    this.tap.epoch += 1;
    this.queues.clear();
    this.handlers?.onCrash(error, true);
    const old = this.stream;
    // Ends the read loop of the old stream (it checks which stream is current).
    this.stream = undefined;
    this.wake();
    void (async () => {
      await old?.close().catch(() => undefined);
      await this.loop;
      for (let attempt = 1; !this.stopped; attempt += 1) {
        await sleep(Math.min(30_000, RESTART_DELAY_MS * 2 ** (attempt - 1)));
        if (this.stopped) break;
        try {
          await this.startStream();
          break;
        } catch (startError) {
          this.log.warn({ err: startError, attempt }, 'Kafka consumer restart failed; retrying');
        }
      }
      this.crashing = false;
    })();
  }

  private async readLoop(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    while (!this.stopped && this.stream === stream && !stream.destroyed) {
      const waiting = new Promise<void>((resolve) => (this.wake = resolve));
      if (this.paused) {
        await waiting;
        continue;
      }
      const ready = this.readyPartition();
      if (ready !== undefined) {
        await this.handOut(ready);
        continue;
      }
      // A paused partition's messages stay queued; reading on would queue without bound.
      if ([...this.queues.values()].some((queue) => queue.paused)) {
        await waiting;
        continue;
      }
      if (!this.read(stream)) await waiting;
    }
  }

  /** Moves buffered messages of the current epoch into the partition queues. */
  private read(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): boolean {
    let moved = 0;
    for (; moved < READ_AT_MOST; moved += 1) {
      const message = stream.read() as Message<Buffer, Buffer, Buffer, Buffer> | null;
      if (message === null) break;
      if (message.metadata[EPOCH] !== this.tap.epoch || message.topic !== this.topic) continue;
      let queue = this.queues.get(message.partition);
      if (queue === undefined) {
        queue = { messages: [], paused: false };
        this.queues.set(message.partition, queue);
      }
      queue.messages.push({
        offset: message.offset.toString(),
        key: message.key ?? null,
        value: message.value ?? null,
      });
    }
    return moved > 0;
  }

  private readyPartition(): number | undefined {
    for (const [partition, queue] of this.queues)
      if (!queue.paused && queue.messages.length > 0) return partition;
    return undefined;
  }

  private async handOut(partition: number): Promise<void> {
    const queue = this.queues.get(partition)!;
    const epoch = this.tap.epoch;
    const messages = queue.messages;
    queue.messages = [];
    let taken = -1n;
    const batch: PartitionBatch = {
      topic: this.topic,
      partition,
      messages,
      firstOffset: () => messages[0]?.offset ?? null,
      lagAfter: () => {
        const high = this.tap.highWatermark(this.topic, partition);
        const last = messages.at(-1)?.offset;
        return high === undefined || last === undefined ? '0' : String(high - 1n - BigInt(last));
      },
      isRunning: () => !this.stopped,
      isStale: () => epoch !== this.tap.epoch,
      markTaken: (offset) => {
        taken = BigInt(offset);
      },
      keepAlive: () => Promise.resolve(),
      pausePartition: () => {
        queue.paused = true;
        return () => {
          queue.paused = false;
          this.wake();
        };
      },
    };
    try {
      await this.handlers!.onBatch(batch);
    } catch (error) {
      this.crash(error);
      return;
    }
    if (epoch !== this.tap.epoch) return;
    // Untaken messages come again, ahead of anything read since.
    const untaken = messages.filter((message) => BigInt(message.offset) > taken);
    if (untaken.length === 0) return;
    queue.messages = [...untaken, ...queue.messages];
    if (untaken.length === messages.length && !queue.paused && !this.paused && !this.stopped)
      await sleep(REFUSED_RETRY_MS);
  }
}
