import { isRetriableClickHouseError } from '@denyscope/clickhouse';
import {
  getTracer,
  SPAN_NAMES,
  SpanKind,
  withSpan,
  type IngestMetrics,
  type Logger,
  type Tracer,
} from '@denyscope/telemetry';
import type {
  GroupConsumer,
  OffsetToCommit,
  PartitionBatch,
  ReliableProducer,
} from '@denyscope/kafka';
import type { ClickHouseWriter } from '@denyscope/intake';
import type { IngestServiceConfig } from './config.js';
import { DeadLetterProducer } from './dead-letter-producer.js';
import { nextFlushDelay } from './flush-schedule.js';
import { NO_FLUSH_HINTS, type FlushHints } from './flush-hints.js';
import { EventIntake, PendingBatch, remainingLag } from '@denyscope/intake';
import { retryForever } from './retry.js';
import { backoffDelay } from '@denyscope/runtime';
import { setTimeout as sleep } from 'node:timers/promises';

/** Messages taken between two checks that the consumer is still running and not re-seeked. */
const LIVENESS_CHECK_EVERY = 500;

export interface IngestServiceDeps {
  config: IngestServiceConfig;
  log: Logger;
  metrics: IngestMetrics;
  consumer: GroupConsumer;
  producer: ReliableProducer;
  writer: ClickHouseWriter;
  /** Told after every flush that landed (DETECT_ON_FLUSH); none by default. */
  hints?: FlushHints;
  /** Called once when a batch cannot be stored for a reason retrying cannot fix. */
  onFatal: (error: unknown) => void;
}

/**
 * The consumer loop: take each message into a pending batch (EventIntake: parse, classify,
 * count), flush the batch to ClickHouse by size or by time (ClickHouseWriter.storeBatch), then
 * commit its offsets. At most one flush runs at a time, so
 * offsets are committed in order and only for stored rows (at-least-once). While ClickHouse is
 * unreachable the flush retries with backoff and consumption is paused, so memory stays bounded by
 * one pending batch plus one fetch.
 */
export class IngestService {
  private pending: PendingBatch;
  private flushing: Promise<void> | null = null;
  /** Message bytes of the batch being flushed (0 when none). */
  private flushingBytes = 0;
  private stalled = false;
  private stopping = false;
  private readonly stopController = new AbortController();
  private readonly intake: EventIntake;
  private readonly deadLetters: DeadLetterProducer;
  /** Per partition, the last offset already counted in request_totals (null: none). */
  private readonly countedThrough = new Map<string, bigint | null>();
  private inBatch: Promise<void> | null = null;
  /** Set when a batch failed for good: nothing after it may be committed, or it would be lost. */
  private failed: unknown = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  private readonly tracer: Tracer = getTracer();

  constructor(private readonly deps: IngestServiceDeps) {
    this.log = deps.log;
    // Events older than retention are dead-lettered (replay omits it: every age is stored).
    this.intake = new EventIntake({
      ...deps.config.events,
      retentionDays: deps.config.clickhouse.retentionDays,
      // Live: events stamped far ahead of wall time never advance the watermark (replay omits it).
      futureToleranceMs: deps.config.pipeline.futureToleranceMs,
    });
    this.deadLetters = new DeadLetterProducer(deps.producer, deps.config.kafka.dlqTopic);
    this.pending = this.newBatch();
  }

  private newBatch(): PendingBatch {
    return new PendingBatch(this.deps.config.ingest.keyReadsPerMinute);
  }

  async start(): Promise<void> {
    const { consumer, config } = this.deps;
    this.scheduleTimedFlush();
    await consumer.run(config.kafka.topic, config.kafka.fromBeginning, {
      onBatch: (batch) => this.trackBatch(batch),
      // Partitions may have moved: what was counted is read again from ClickHouse on next use.
      // Every partition starts again from its committed offset after a (re)join, so messages
      // taken but not yet flushed come back: drop them here or they would be counted twice.
      // Nothing is lost; they are uncommitted.
      onAssigned: (memberAssignment) => {
        this.pending = this.newBatch();
        this.countedThrough.clear();
        this.log.info({ memberAssignment }, 'joined consumer group');
      },
      onCrash: (error, restart) => this.log.error({ err: error, restart }, 'consumer crashed'),
    });
  }

  /** SIGTERM path: stop fetching, flush, commit, then the caller disconnects (leaves the group). */
  async drain(graceMs: number): Promise<boolean> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.deps.consumer.pause();
    await this.inBatch;
    const deadline = setTimeout(() => this.stopController.abort(), graceMs);
    try {
      await this.flushing;
      if (!this.pending.isEmpty && this.failed === null) await this.startFlush();
      return this.failed === null;
    } catch (error) {
      this.log.error(
        { err: error, pendingMessages: this.pending.messages },
        'could not store the last batch before stopping; it was not committed and will be read again',
      );
      return false;
    } finally {
      clearTimeout(deadline);
    }
  }

  private trackBatch(batch: PartitionBatch): Promise<void> {
    const done = this.handleBatch(batch);
    this.inBatch = done.catch(() => undefined);
    return done;
  }

  private async handleBatch(batch: PartitionBatch): Promise<void> {
    const { topic, partition } = batch;
    const offsetLag = batch.lagAfter();
    this.deps.metrics.setLag(topic, partition, remainingLag(offsetLag, 0));
    if (this.stopping) return;

    const counted = await this.countedThroughOrPause(batch);
    if (counted === undefined) return;
    // Only the first batches after a crash overlap the counted range; skip the per-message
    // comparison everywhere else.
    const first = batch.firstOffset();
    const skipThrough =
      counted !== null && first !== null && counted >= BigInt(first) ? counted : null;

    // Per batch, not per message: the partition's progress, and the client's offset bookkeeping
    // (kafkajs's resolveOffset does int64 arithmetic on strings; isStale builds a lookup key).
    const pending = this.pending;
    const progress = pending.progressOf(topic, partition);
    const messages = batch.messages;
    const intake = this.intake;
    intake.setClock(Date.now());
    let taken = 0;
    while (taken < messages.length) {
      if (!batch.isRunning() || batch.isStale() || this.stopping) break;
      const end = Math.min(messages.length, taken + LIVENESS_CHECK_EVERY);
      for (; taken < end; taken += 1) {
        const message = messages[taken]!;
        intake.take(pending, progress, message.value, message.key, message.offset, skipThrough);
      }
    }
    if (taken > 0) batch.markTaken(messages[taken - 1]!.offset);
    // For the detector's watermark: a partition with a backlog holds it (ingest_watermarks.lag).
    progress.lag = remainingLag(offsetLag, messages.length - taken);
    this.deps.metrics.addEvents(taken);

    const limits = this.deps.config.ingest;
    // The batch being flushed counts against the buffer limit too: memory holds both.
    while (
      this.pending.messages >= limits.batchMaxRows ||
      this.pending.bytes + this.flushingBytes >= limits.maxBufferBytes
    ) {
      if (this.stalled || this.stopping || this.failed !== null) return;
      if (this.flushing) {
        // Wait for the previous flush (backpressure), but not through a stall: then consumption
        // is paused and this batch returns so the client keeps the group membership alive. A
        // slow flush must not cost the partitions: keep the membership alive while waiting.
        await Promise.race([this.flushing.catch(() => undefined), sleep(100)]);
        await batch.keepAlive();
        continue;
      }
      void this.startFlush().catch(() => undefined);
    }
  }

  /**
   * Reads, once per assignment, how far request_totals already counts this partition. If
   * ClickHouse cannot say, the partition pauses and resumes after a backoff; its messages are not
   * resolved, so Kafka hands them out again.
   */
  private async countedThroughOrPause(batch: PartitionBatch): Promise<bigint | null | undefined> {
    const { topic, partition } = batch;
    const id = `${topic}:${partition}`;
    if (this.countedThrough.has(id)) return this.countedThrough.get(id);
    // A flush still in flight may cover this partition's re-delivered range: let it land (or
    // fail) first, so the offsets read below include it.
    await this.flushing?.catch(() => undefined);
    try {
      const counted = await this.deps.writer.countedThrough(topic, partition);
      this.countedThrough.set(id, counted);
      return counted;
    } catch (error) {
      // About 1 s (the third step of ingest's 250 ms schedule), jittered across partitions.
      const delay = backoffDelay(3, {
        initialMs: 250,
        maxMs: this.deps.config.ingest.retryMaxMs,
        jitter: true,
      });
      this.log.warn(
        { err: error, topic, partition, retryInMs: delay },
        'cannot read counted offsets; pausing partition',
      );
      const resume = batch.pausePartition();
      setTimeout(resume, delay).unref();
      return undefined;
    }
  }

  /**
   * Time-based flushes happen on wall-clock boundaries (flush-schedule.ts), so that every ingest
   * instance's rows of one second land at about the same moment and the detector, woken by the
   * first hint, finds the others' rows there too. A boundary met while a flush is still running
   * (or while storage is stalled) is skipped: the batch goes at the next one.
   */
  private scheduleTimedFlush(): void {
    if (this.stopping) return;
    this.timer = setTimeout(
      () => {
        this.scheduleTimedFlush();
        if (this.flushing || this.stalled || this.failed !== null || this.pending.isEmpty) return;
        void this.startFlush().catch(() => undefined);
      },
      nextFlushDelay(Date.now(), this.deps.config.ingest.flushIntervalMs),
    );
  }

  /** Swaps in an empty batch and stores the full one; the returned promise settles when done. */
  private startFlush(): Promise<void> {
    const batch = this.pending;
    this.pending = this.newBatch();
    const flushing = this.flush(batch).finally(() => {
      if (this.flushing === flushing) {
        this.flushing = null;
        this.flushingBytes = 0;
      }
    });
    this.flushing = flushing;
    this.flushingBytes = batch.bytes;
    return flushing;
  }

  /**
   * One span per batch (ingest.flush, kind CONSUMER): its inserts, dead letters, commit and log
   * lines are inside it. Attributes follow OpenTelemetry's messaging conventions for a batch
   * being processed; a batch holds messages of every partition taken since the last flush, so
   * the partition is named only when there is one.
   */
  private flush(batch: PendingBatch): Promise<void> {
    const { kafka } = this.deps.config;
    const offsets = batch.commitOffsets();
    return withSpan(
      this.tracer,
      SPAN_NAMES.ingestFlush,
      {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': kafka.topic,
        'messaging.consumer.group.name': kafka.groupId,
        'messaging.batch.message_count': batch.messages,
        ...(offsets.length === 1
          ? { 'messaging.destination.partition.id': String(offsets[0]!.partition) }
          : {}),
        'denyscope.ingest.partitions': offsets.length,
        'denyscope.ingest.denials': batch.denials.length,
        'denyscope.ingest.key_resources': batch.keyResources.size,
        'denyscope.ingest.dead_letters': batch.deadLetters.length,
      },
      () => this.storeAndCommit(batch, offsets),
      { kind: SpanKind.CONSUMER },
    );
  }

  private async storeAndCommit(batch: PendingBatch, offsets: OffsetToCommit[]): Promise<void> {
    const { writer, metrics, config } = this.deps;
    const denials = batch.denials;
    const keyResources = batch.keyResources;
    metrics.recordBatchSize(batch.messages);

    // The newest event time the batch moves the watermark to (none: nothing for the detector).
    const newest = Math.max(-1, ...batch.watermarkRows().map((row) => row.max_event_time));
    try {
      await this.retryStore(async () => {
        await writer.storeBatch(batch);
        await this.deadLetters.send(batch.deadLetters);
      });
    } catch (error) {
      if (this.failed === null && !this.stopController.signal.aborted) {
        this.failed = error;
        this.deps.consumer.pause();
        this.log.fatal(
          { err: error, messages: batch.messages },
          'batch cannot be stored (not a transient error); stopping without committing it',
        );
        this.deps.onFatal(error);
      }
      throw error;
    }
    if (newest >= 0) (this.deps.hints ?? NO_FLUSH_HINTS).landed(newest * 1000);
    metrics.addDenials(denials.length);
    for (const letter of batch.deadLetters) metrics.addDeadLettered(letter.reasonKind);
    for (const clock of batch.clockRows()) {
      metrics.addEventsAhead(clock.topic, clock.partition, clock.ahead_events);
      // A gateway clock ahead, or forged timestamps: pipeline-health reports it from partition_clock.
      this.log.warn(
        {
          topic: clock.topic,
          partition: clock.partition,
          aheadEvents: clock.ahead_events,
          newestEventTime: new Date(clock.max_event_time * 1000).toISOString(),
        },
        'events stamped beyond wall time + DETECT_FUTURE_TOLERANCE_MS: stored and counted, not advancing the watermark',
      );
    }
    metrics.addInvalidClientIp(batch.invalidClientIps);
    await this.commit(offsets);
    this.log.debug(
      {
        messages: batch.messages,
        denials: denials.length,
        keyResources: keyResources.size,
        cappedReads: keyResources.cappedReads,
        deadLetters: batch.deadLetters.length,
        topic: config.kafka.topic,
      },
      'batch stored',
    );
  }

  private async retryStore(store: () => Promise<void>): Promise<void> {
    await retryForever(store, {
      initialMs: 200,
      maxMs: this.deps.config.ingest.retryMaxMs,
      signal: this.stopController.signal,
      isRetriable: isRetriableClickHouseError,
      onRetry: (error, attempt, delayMs) => {
        if (!this.stalled) {
          this.stalled = true;
          this.deps.consumer.pause();
        }
        this.log.warn(
          { err: error, attempt, retryInMs: delayMs },
          'storing batch failed; consumption paused, retrying',
        );
      },
    });
    if (this.stalled) {
      this.stalled = false;
      if (!this.stopping) this.deps.consumer.resume();
      this.log.info({}, 'storage recovered; consumption resumed');
    }
  }

  private async commit(offsets: OffsetToCommit[]): Promise<void> {
    try {
      await this.deps.consumer.commit(offsets);
    } catch (error) {
      // The rows are stored; a lost commit only means the partition's next reader reads them
      // again, and replays are folded (request_id, ingest_offsets). Not worth blocking on.
      this.log.warn({ err: error, offsets }, 'offset commit failed; the range will be read again');
    }
  }
}
