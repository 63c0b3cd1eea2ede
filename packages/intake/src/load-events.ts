import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { EnvMarkers } from '@denyscope/events';
import { ClickHouseWriter } from './clickhouse-writer.js';
import { EventIntake } from './event-intake.js';
import { PendingBatch } from './pending-batch.js';
import type { Readable } from 'node:stream';
import { DEFAULT_KEY_READS_PER_MINUTE } from './key-resources.js';
import { isBlankLine, LineSplitter } from './line-splitter.js';

/** The pseudo-partition a replay's lines are messages of; a line's offset is its number. */
export const REPLAY_TOPIC = 'replay';
export const REPLAY_PARTITION = 0;

/** A replay stores its lines in batches of at most this many messages or bytes. */
const BATCH_LINES = 50_000;
const BATCH_BYTES = 64 * 1_048_576;
/** Line numbers shown per malformed reason. */
const LINES_PER_REASON = 5;

export interface LoadSummary {
  lines: number;
  events: number;
  denials: number;
  malformed: number;
  /** Malformed lines by reason, with the first few line numbers of each. */
  malformedByReason: Map<string, { count: number; lines: number[] }>;
  minTs: number;
  maxTs: number;
}

export interface LoadOptions {
  environments: readonly string[];
  envMarkers: EnvMarkers | undefined;
  maxMessageBytes: number;
  /** INGEST_KEY_READS_PER_MINUTE; its default when not given. */
  keyReadsPerMinute?: number;
  onProgress?: (lines: number) => void;
}

/**
 * A chunk of the input as bytes. Files and stdin give Buffers, taken as they are; a stream of
 * strings (`Readable.from([text])`) was decoded by whoever made it, and is encoded back as UTF-8.
 */
function bytesOf(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  throw new TypeError(`replay input: expected bytes or text, got ${typeof chunk}`);
}

/** Adds what a stored batch held to the summary: its events, denials, malformed lines, times. */
function summarize(summary: LoadSummary, batch: PendingBatch): void {
  const malformed = batch.deadLetters.length;
  summary.events += batch.messages - malformed;
  summary.denials += batch.denials.length;
  summary.malformed += malformed;
  for (const { reason, offset } of batch.deadLetters) {
    const entry = summary.malformedByReason.get(reason) ?? { count: 0, lines: [] };
    entry.count += 1;
    if (entry.lines.length < LINES_PER_REASON) entry.lines.push(Number(offset));
    summary.malformedByReason.set(reason, entry);
  }
  for (const progress of batch.partitions.values()) {
    summary.minTs = Math.min(summary.minTs, progress.minEventTs);
    summary.maxTs = Math.max(summary.maxTs, progress.maxEventTs);
  }
}

/**
 * Reads v1 events (one JSON object per line) and stores them through ingest's own path: each line,
 * as the bytes it was, is a message of the pseudo-partition `replay/0` whose offset is its line
 * number, taken by ingest's EventIntake into a PendingBatch and stored by ingest's
 * ClickHouseWriter. So replay writes exactly the rows live ingest writes for the same messages
 * (only the batches differ: key_resources is de-duplicated and capped per batch). Malformed
 * lines are counted by reason instead of being dead-lettered; blank lines are skipped. Event time
 * is the events' own: the caller sweeps evaluations over `minTs`..`maxTs`, whatever order the
 * lines came in.
 */
export async function loadEvents(
  input: Readable,
  client: ClickHouseClient,
  options: LoadOptions,
): Promise<LoadSummary> {
  const intake = new EventIntake(options);
  const writer = new ClickHouseWriter(client, () => undefined);
  const readsPerMinute = options.keyReadsPerMinute ?? DEFAULT_KEY_READS_PER_MINUTE;
  const summary: LoadSummary = {
    lines: 0,
    events: 0,
    denials: 0,
    malformed: 0,
    malformedByReason: new Map(),
    minTs: Number.POSITIVE_INFINITY,
    maxTs: 0,
  };
  let batch = new PendingBatch(readsPerMinute);
  let progress = batch.progressOf(REPLAY_TOPIC, REPLAY_PARTITION);

  const take = (line: Buffer): void => {
    summary.lines += 1;
    if (isBlankLine(line)) return;
    intake.take(batch, progress, line, null, String(summary.lines), null);
  };
  const store = async (): Promise<void> => {
    summarize(summary, batch);
    await writer.storeBatch(batch);
    batch = new PendingBatch(readsPerMinute);
    progress = batch.progressOf(REPLAY_TOPIC, REPLAY_PARTITION);
    options.onProgress?.(summary.lines);
  };

  const splitter = new LineSplitter();
  for await (const chunk of input) {
    // "More than a day in the future" is judged against the clock, as live.
    intake.setClock(Date.now());
    for (const line of splitter.push(bytesOf(chunk))) {
      take(line);
      if (batch.messages >= BATCH_LINES || batch.bytes >= BATCH_BYTES) await store();
    }
  }
  const last = splitter.end();
  if (last !== undefined) take(last);
  await store();
  return summary;
}
