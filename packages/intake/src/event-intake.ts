import {
  createIdClassifier,
  parseEvent,
  scanCountable,
  type CountableEvent,
  type EnvMarkers,
  type IdClassifier,
  type ParseOptions,
  type ScanOptions,
} from '@denyscope/events';
import type { DeadLetterReasonKind } from '@denyscope/telemetry';
import type { PartitionProgress, PendingBatch } from './pending-batch.js';
import { denialRow, isForeignAccess } from './rows.js';

/** The event settings of the configuration (`config.events`). */
export interface IntakeOptions {
  maxMessageBytes: number;
  environments: readonly string[];
  envMarkers: EnvMarkers | undefined;
  /**
   * Live ingest: RETENTION_DAYS. An event older than the oldest day retention keeps is
   * dead-lettered (`older than retention`): its day would be dropped anyway, and old events are
   * what make a batch span many daily partitions. Undefined (replay): every age is stored.
   */
  retentionDays?: number | undefined;
  /**
   * Live ingest: events stamped more than this beyond the intake's clock do not advance the
   * partition's watermark (DETECT_FUTURE_TOLERANCE_MS). Undefined (replay): pure event time.
   */
  futureToleranceMs?: number | undefined;
}

/** How the dead-letter reason of an event older than retention starts. */
export const OLDER_THAN_RETENTION = 'older than retention';

const DAY_MS = 86_400_000;

/** Coarse class of a dead-letter reason, for metrics (the reason itself is free text). */
export function reasonKindOf(reason: string): DeadLetterReasonKind {
  if (reason.startsWith('invalid UTF-8')) return 'utf8';
  if (reason.startsWith('invalid JSON') || reason.startsWith('expected a JSON object'))
    return 'json';
  if (reason.startsWith('message too large') || reason.startsWith('empty message')) return 'size';
  if (reason.startsWith(OLDER_THAN_RETENTION)) return 'retention';
  return 'schema';
}

/**
 * Takes one message at a time from bytes into a pending batch: fast scan or full parse,
 * validation, derivation and classification into denial and foreign-access rows, the resources
 * keys used successfully (key_resources), request tallies and dead letters. The one path from a
 * message's bytes to rows: the ingest service feeds it Kafka messages, `denyscope replay` the
 * lines of a file, so a replay stores exactly what ingest would.
 */
export class EventIntake {
  /** RETENTION_DAYS, or undefined (replay: no cut-off). */
  private readonly retentionDays: number | undefined;
  /** Events before this epoch ms are older than retention (-Infinity without retention). */
  private retentionCutoffMs = Number.NEGATIVE_INFINITY;
  /**
   * One clock reading, shared by the lean scanner and the full parser so that both judge "not in
   * the future" alike (scanCountable's contract). Set per batch of messages by `setClock`.
   */
  private readonly scanOptions: ScanOptions;
  private readonly parseOptions: ParseOptions;
  private readonly classifier: IdClassifier;
  private readonly futureToleranceMs: number;

  constructor(options: IntakeOptions) {
    this.futureToleranceMs = options.futureToleranceMs ?? Number.POSITIVE_INFINITY;
    this.classifier = createIdClassifier(options.envMarkers ? { markers: options.envMarkers } : {});
    this.scanOptions = {
      maxBytes: options.maxMessageBytes,
      environments: options.environments,
      nowMs: Date.now(),
    };
    this.parseOptions = {
      maxBytes: this.scanOptions.maxBytes,
      environments: this.scanOptions.environments,
      now: () => this.scanOptions.nowMs,
    };
    this.retentionDays = options.retentionDays;
    this.setClock(this.scanOptions.nowMs);
  }

  /** The clock that "not more than a day in the future" is judged by, until set again. */
  setClock(nowMs: number): void {
    this.scanOptions.nowMs = nowMs;
    // The first day retention keeps: dropExpiredPartitions drops the daily partitions before the
    // UTC day of now - RETENTION_DAYS.
    if (this.retentionDays !== undefined) {
      const oldest = nowMs - this.retentionDays * DAY_MS;
      this.retentionCutoffMs = oldest - (((oldest % DAY_MS) + DAY_MS) % DAY_MS);
    }
  }

  /**
   * Takes one message of `progress`'s partition into `batch`. `skipThrough`: the last offset of
   * the partition already counted in request_totals (after a crash), or null; such messages still
   * give rows (stored idempotently) but are not counted again.
   */
  take(
    batch: PendingBatch,
    progress: PartitionProgress,
    value: Buffer | null,
    key: Buffer | null,
    offset: string,
    skipThrough: bigint | null,
  ): void {
    progress.lastOffset = offset;
    batch.messages += 1;
    batch.bytes += value === null ? 0 : value.length;

    // Fast path for the ~97 % that are only counted: valid, not a denial, not another account's
    // resource. Anything else (including anything unusual) goes through the full parser, which
    // builds the full event or the dead-letter reason.
    const countable = value === null ? undefined : scanCountable(value, this.scanOptions);
    if (countable !== undefined) {
      if (countable.ts < this.retentionCutoffMs) {
        this.deadLetter(batch, progress, value, key, offset, this.tooOld(countable.ts));
        return;
      }
      this.count(progress, offset, skipThrough, countable, false);
      batch.keyResources.addEvent(countable);
      return;
    }

    const parsed =
      value === null || value.length === 0
        ? ({ ok: false, reason: 'empty message' } as const)
        : parseEvent(value, this.parseOptions);
    if (!parsed.ok) {
      this.deadLetter(batch, progress, value, key, offset, parsed.reason);
      return;
    }

    const event = parsed.event;
    if (event.ts < this.retentionCutoffMs) {
      this.deadLetter(batch, progress, value, key, offset, this.tooOld(event.ts));
      return;
    }
    // Stored with client_ip null; counted so that a gateway writing something else shows.
    if (parsed.invalidClientIp === true) batch.invalidClientIps += 1;
    this.count(progress, offset, skipThrough, event, event.isDenial);
    if (event.isDenial) batch.denials.push(denialRow(event, this.classifier));
    else if (isForeignAccess(event)) batch.foreignAccess.push(denialRow(event, this.classifier));
    else batch.keyResources.addEvent(event);
  }

  private deadLetter(
    batch: PendingBatch,
    progress: PartitionProgress,
    value: Buffer | null,
    key: Buffer | null,
    offset: string,
    reason: string,
  ): void {
    batch.deadLetters.push({
      value,
      key,
      reason,
      reasonKind: reasonKindOf(reason),
      topic: progress.topic,
      partition: progress.partition,
      offset,
    });
  }

  private tooOld(ts: number): string {
    const oldest = new Date(this.retentionCutoffMs).toISOString().slice(0, 10);
    return `${OLDER_THAN_RETENTION}: ts ${new Date(ts).toISOString()} is before ${oldest}, the oldest day kept (RETENTION_DAYS=${String(this.retentionDays)})`;
  }

  /**
   * Counts a valid event in its partition's request tallies, unless an earlier owner already
   * counted its offset (skipThrough, after a crash), and widens the partition's event-time span.
   */
  private count(
    progress: PartitionProgress,
    offset: string,
    skipThrough: bigint | null,
    event: CountableEvent,
    denied: boolean,
  ): void {
    const { ts } = event;
    if (ts > progress.maxEventTs) progress.maxEventTs = ts;
    if (ts < progress.minEventTs) progress.minEventTs = ts;
    if (ts > this.scanOptions.nowMs + this.futureToleranceMs) progress.aheadEvents += 1;
    else if (ts > progress.watermarkEventTs) progress.watermarkEventTs = ts;
    if (skipThrough !== null && BigInt(offset) <= skipThrough) return;
    const { env, keyId, accountId, status } = event;
    progress.totals.add(offset, ts, env, keyId ?? '', accountId ?? '', status, denied);
  }
}
