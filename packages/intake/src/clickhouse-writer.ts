import {
  insertTabSeparated,
  quoteString,
  quoteUInt,
  type ClickHouseClient,
} from '@denyscope/clickhouse';
import { V1_STORED_COLUMNS } from '@denyscope/events';
import { getTracer, SPAN_NAMES, withSpan } from '@denyscope/telemetry';
import { chunkByDay } from './day-chunks.js';
import type { KeyResourceRow } from './key-resources.js';
import type { PendingBatch } from './pending-batch.js';
import { DERIVED_DENIAL_COLUMNS, type DenialRow } from './rows.js';
import type { RequestTotalsRow } from './request-totals.js';

export interface WatermarkRow {
  topic: string;
  partition: number;
  /** Unix seconds. */
  max_event_time: number;
  /** Messages left in the partition after the batch (written_at takes the server's clock). */
  lag: number;
}

export interface PartitionClockRow {
  topic: string;
  partition: number;
  /** Unix seconds: the newest raw event time, ahead of wall time (written_at: server clock). */
  max_event_time: number;
  ahead_events: number;
}

// Column lists of each INSERT (TabSeparated names its columns; the rest take their defaults).
// The stored v1 fields come from the field table (V1_STORED_COLUMNS); test/columns.int.test.ts
// compares both lists with the migrated tables.
type ForeignAccessColumn = Exclude<keyof DenialRow, 'client_net'>;
export const FOREIGN_ACCESS_COLUMNS: readonly [ForeignAccessColumn, ...ForeignAccessColumn[]] = [
  ...V1_STORED_COLUMNS,
  ...DERIVED_DENIAL_COLUMNS,
];
/** denials also keeps the client's network (migration 007), for network-wide scans. */
export const DENIAL_COLUMNS: readonly [keyof DenialRow, ...(keyof DenialRow)[]] = [
  ...FOREIGN_ACCESS_COLUMNS,
  'client_net',
];
const KEY_RESOURCE_COLUMNS = [
  'minute',
  'env',
  'key_id',
  'account_id',
  'resource_id',
  'action',
] as const satisfies readonly (keyof KeyResourceRow)[];
const TOTALS_COLUMNS = [
  'minute',
  'env',
  'key_id',
  'account_id',
  'status_class',
  'requests',
  'denials',
  'topic',
  'partition',
  'start_offset',
  'end_offset',
] as const satisfies readonly (keyof RequestTotalsRow)[];
const WATERMARK_COLUMNS = ['topic', 'partition', 'max_event_time', 'lag'] as const;
const CLOCK_COLUMNS = ['topic', 'partition', 'max_event_time', 'ahead_events'] as const;

/**
 * Writes a flushed batch to ClickHouse: one INSERT per table, TabSeparated (cheaper than
 * JSONEachRow for both sides of a shared machine: see packages/clickhouse/src/tab-separated.ts),
 * no per-row round trips. A day-partitioned table whose rows span more than 90 days (old events
 * replayed or re-sent) gets one INSERT per 90 days instead, so that current ClickHouse never
 * rejects the block for touching over 100 partitions (day-chunks.ts).
 */
export class ClickHouseWriter {
  private readonly tracer = getTracer();

  constructor(
    private readonly client: ClickHouseClient,
    private readonly onInsert: (table: string, rows: number, ms: number) => void,
  ) {}

  /**
   * Every table of a flushed batch, in the order that keeps readers right: the rows first
   * (denials, foreign_access, key_resources), then request_totals, whose INSERT also advances
   * ingest_offsets (so a crash after it skips only what is stored), and ingest_watermarks last,
   * so the detector never evaluates an event time whose facts are not stored yet. Retrying it
   * whole is safe: every table folds repeated rows. Dead letters are not ClickHouse's: the
   * caller sends them.
   */
  async storeBatch(batch: PendingBatch): Promise<void> {
    await this.insertDenials(batch.denials);
    await this.insertForeignAccess(batch.foreignAccess);
    await this.insertKeyResources(batch.keyResources.toRows());
    await this.insertTotals(batch.totalsRows());
    await this.insertPartitionClock(batch.clockRows());
    await this.insertWatermarks(batch.watermarkRows());
  }

  async insertDenials(rows: readonly DenialRow[]): Promise<void> {
    for (const chunk of chunkByDay(rows, eventTime)) {
      await this.insert('denials', chunk, DENIAL_COLUMNS);
    }
  }

  async insertForeignAccess(rows: readonly DenialRow[]): Promise<void> {
    for (const chunk of chunkByDay(rows, eventTime)) {
      await this.insert('foreign_access', chunk, FOREIGN_ACCESS_COLUMNS);
    }
  }

  async insertKeyResources(rows: readonly KeyResourceRow[]): Promise<void> {
    for (const chunk of chunkByDay(rows, minuteOf)) {
      await this.insert('key_resources', chunk, KEY_RESOURCE_COLUMNS);
    }
  }

  /**
   * After the rows: the totals INSERT also advances ingest_offsets (see migration 003). When the
   * totals need several INSERTs (over 90 days), a Kafka partition's rows carry its real
   * end_offset only in the last INSERT that has rows of it, earlier ones `start_offset - 1`
   * (what was counted before this batch): ingest_offsets then advances only once all of the
   * partition's totals are stored, and a crash between two INSERTs makes the next owner count the
   * range again instead of skipping totals that were never written. (A partition read from offset
   * 0 has nothing before it: there, such a crash can lose the count of offset 0 alone.)
   */
  async insertTotals(rows: readonly RequestTotalsRow[]): Promise<void> {
    const chunks = chunkByDay(rows, minuteOf);
    const lastChunkOf = new Map<string, number>();
    chunks.forEach((chunk, i) => {
      for (const row of chunk) lastChunkOf.set(`${row.topic}\u0000${row.partition}`, i);
    });
    for (const [i, chunk] of chunks.entries()) {
      const rowsOfChunk =
        chunks.length === 1
          ? chunk
          : chunk.map((row) =>
              lastChunkOf.get(`${row.topic}\u0000${row.partition}`) === i
                ? row
                : { ...row, end_offset: offsetBefore(row.start_offset) },
            );
      await this.insert('request_totals', rowsOfChunk, TOTALS_COLUMNS);
    }
  }

  /** Partitions that delivered events stamped ahead of wall time (migration 008). */
  async insertPartitionClock(rows: readonly PartitionClockRow[]): Promise<void> {
    await this.insert('partition_clock', rows, CLOCK_COLUMNS);
  }

  /** Last: the detector may evaluate up to these event times once they are written. */
  async insertWatermarks(rows: readonly WatermarkRow[]): Promise<void> {
    await this.insert('ingest_watermarks', rows, WATERMARK_COLUMNS);
  }

  /** The highest offset of this partition whose requests are already in request_totals. */
  async countedThrough(topic: string, partition: number): Promise<bigint | null> {
    const result = await this.client.query({
      query: `SELECT max(end_offset) AS end_offset, count() AS n FROM ingest_offsets
        WHERE topic = ${quoteString(topic)} AND partition = ${quoteUInt(partition)}`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ end_offset: string; n: string }>();
    return row === undefined || row.n === '0' ? null : BigInt(row.end_offset);
  }

  private async insert<Row extends Record<Column, string | number>, Column extends string>(
    table: string,
    rows: readonly Row[],
    columns: readonly [Column, ...Column[]],
  ): Promise<void> {
    if (rows.length === 0) return;
    await withSpan(
      this.tracer,
      SPAN_NAMES.clickhouseInsert,
      // OpenTelemetry's database conventions; the HTTP request under it is the http
      // instrumentation's when spans are exported.
      {
        'db.system.name': 'clickhouse',
        'db.operation.name': 'INSERT',
        'db.collection.name': table,
        'denyscope.clickhouse.rows': rows.length,
      },
      async () => {
        const started = performance.now();
        // insert_distributed_sync: on a ClickHouse cluster, return only once every shard stored
        // the rows, so that totals and ingest_offsets are readable before Kafka offsets are
        // committed (docs/scale-out.md). No effect on one server; `migrate` also checks it.
        await insertTabSeparated(this.client, table, rows, columns, {
          insert_distributed_sync: 1,
        });
        this.onInsert(table, rows.length, performance.now() - started);
      },
    );
  }
}

const eventTime = (row: DenialRow): number => row.event_time;
const minuteOf = (row: { minute: number }): number => row.minute;

/** The offset before `offset` (Kafka offsets are int64, kept as strings); '0' for offset 0. */
function offsetBefore(offset: string): string {
  const value = BigInt(offset);
  return value > 0n ? (value - 1n).toString() : '0';
}
