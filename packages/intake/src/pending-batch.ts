import type { DeadLetterReasonKind } from '@denyscope/telemetry';
import { KeyResources } from './key-resources.js';
import type { DenialRow } from './rows.js';
import { PartitionTotals, type RequestTotalsRow } from './request-totals.js';

export interface DeadLetter {
  value: Buffer | null;
  key: Buffer | null;
  reason: string;
  reasonKind: DeadLetterReasonKind;
  topic: string;
  partition: number;
  offset: string;
}

export interface PartitionProgress {
  topic: string;
  partition: number;
  /** Last offset taken into this batch: what to commit (+1) once the batch is stored. */
  lastOffset: string;
  /** Newest event time (epoch ms) among its valid events; 0 when none. */
  maxEventTs: number;
  /** Oldest event time (epoch ms) among its valid events; +Infinity when none. */
  minEventTs: number;
  /**
   * Newest event time (epoch ms) that may advance the watermark: live, events stamped more than
   * DETECT_FUTURE_TOLERANCE_MS beyond wall time do not (EventIntake); 0 when none. Replay: the
   * same as maxEventTs.
   */
  watermarkEventTs: number;
  /** Valid events stamped beyond that limit (stored and counted, reported in partition_clock). */
  aheadEvents: number;
  /** Messages left in the partition after the last batch taken (Kafka's high watermark then). */
  lag: number;
  totals: PartitionTotals;
}

/**
 * Messages left in a partition after a batch of which `untaken` messages were not taken: kafkajs's
 * `offsetLag()` (high watermark − 1 − the batch's last offset) plus those. kafkajs can report a
 * negative lag (a fetch can hold records past the high watermark it reports, seen live at 20,000
 * events/s): that is no backlog, and a negative number must not reach a UInt64 column, where it
 * fails the whole INSERT.
 */
export function remainingLag(offsetLag: string, untaken: number): number {
  const lag = Number(offsetLag);
  return Number.isFinite(lag) && lag > 0 ? lag + untaken : untaken;
}

/**
 * Everything consumed since the last flush: denial and foreign-access rows, the resources keys
 * used successfully, request tallies, dead letters and, per partition, how far it got. Nothing
 * here is committed to Kafka until ClickHouse has it all.
 */
export class PendingBatch {
  readonly denials: DenialRow[] = [];
  readonly foreignAccess: DenialRow[] = [];
  readonly keyResources: KeyResources;
  readonly deadLetters: DeadLetter[] = [];
  /** Stored events whose client_ip was not an IP address (stored as null; a metric counts them). */
  invalidClientIps = 0;
  readonly partitions = new Map<string, PartitionProgress>();
  messages = 0;
  bytes = 0;

  /** `keyReadsPerMinute`: INGEST_KEY_READS_PER_MINUTE, the cap of KeyResources. */
  constructor(keyReadsPerMinute: number) {
    this.keyResources = new KeyResources(keyReadsPerMinute);
  }

  progressOf(topic: string, partition: number): PartitionProgress {
    const id = `${topic}:${partition}`;
    let progress = this.partitions.get(id);
    if (progress === undefined) {
      progress = {
        topic,
        partition,
        lastOffset: '',
        maxEventTs: 0,
        minEventTs: Number.POSITIVE_INFINITY,
        watermarkEventTs: 0,
        aheadEvents: 0,
        lag: 0,
        totals: new PartitionTotals(),
      };
      this.partitions.set(id, progress);
    }
    return progress;
  }

  get isEmpty(): boolean {
    return this.messages === 0;
  }

  totalsRows(): RequestTotalsRow[] {
    const rows: RequestTotalsRow[] = [];
    for (const progress of this.partitions.values()) {
      progress.totals.endOffset = progress.lastOffset;
      for (const row of progress.totals.rows(progress.topic, progress.partition)) rows.push(row);
    }
    return rows;
  }

  /**
   * Rows of ingest_watermarks: per partition, the newest event time this batch delivers and how
   * many messages the partition still held after it (the detector waits for lagging partitions).
   * Live, an event stamped beyond wall time + DETECT_FUTURE_TOLERANCE_MS never counts here: one
   * such event would carry the detector's watermark ahead with it (issue 11, finding 1).
   */
  watermarkRows(): { topic: string; partition: number; max_event_time: number; lag: number }[] {
    const rows = [];
    for (const { topic, partition, watermarkEventTs, lag } of this.partitions.values()) {
      if (watermarkEventTs > 0)
        rows.push({ topic, partition, max_event_time: Math.floor(watermarkEventTs / 1000), lag });
    }
    return rows;
  }

  /**
   * Rows of partition_clock (migration 008): per partition that delivered events stamped beyond
   * the limit, the newest of them and how many. The pipeline-health rule reports those partitions.
   */
  clockRows(): {
    topic: string;
    partition: number;
    max_event_time: number;
    ahead_events: number;
  }[] {
    const rows = [];
    for (const { topic, partition, maxEventTs, aheadEvents } of this.partitions.values()) {
      if (aheadEvents > 0) {
        const maxEventTime = Math.floor(maxEventTs / 1000);
        rows.push({ topic, partition, max_event_time: maxEventTime, ahead_events: aheadEvents });
      }
    }
    return rows;
  }

  /**
   * Offsets to commit: the next offset to read, per partition that had a message taken. A
   * partition whose batch was stopped before its first message (ingest stopping, the group
   * rebalancing) has no offset to commit: BigInt('') + 1 would commit offset 1 and send its next
   * reader back to the start of the partition.
   */
  commitOffsets(): { topic: string; partition: number; offset: string }[] {
    return [...this.partitions.values()]
      .filter(({ lastOffset }) => lastOffset !== '')
      .map(({ topic, partition, lastOffset }) => ({
        topic,
        partition,
        offset: (BigInt(lastOffset) + 1n).toString(),
      }));
  }
}
