import { quoteString, quoteUInt, type ClickHouseClient } from '@denyscope/clickhouse';
import { getTracer, SPAN_NAMES, withSpan } from '@denyscope/telemetry';
import type { DenialRow } from './rows.js';
import type { RequestTotalsRow } from './request-totals.js';

/** Writes a flushed batch to ClickHouse: one INSERT per table, JSONEachRow, no per-row round trips. */
export class ClickHouseWriter {
  private readonly tracer = getTracer();

  constructor(
    private readonly client: ClickHouseClient,
    private readonly onInsert: (table: string, rows: number, ms: number) => void,
  ) {}

  async insertDenials(rows: readonly DenialRow[]): Promise<void> {
    await this.insert('denials', rows);
  }

  async insertForeignAccess(rows: readonly DenialRow[]): Promise<void> {
    await this.insert('foreign_access', rows);
  }

  /** After the rows: the totals INSERT also advances ingest_offsets (see migration 003). */
  async insertTotals(rows: readonly RequestTotalsRow[]): Promise<void> {
    await this.insert('request_totals', rows);
  }

  /** Last: the detector may evaluate up to these event times once they are written. */
  async insertWatermarks(rows: readonly object[]): Promise<void> {
    await this.insert('ingest_watermarks', rows);
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

  private async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await withSpan(
      this.tracer,
      SPAN_NAMES.clickhouseInsert,
      { table, rows: rows.length },
      async () => {
        const started = performance.now();
        await this.client.insert({
          table,
          values: rows,
          format: 'JSONEachRow',
          // On a ClickHouse cluster, return only once every shard stored the rows, so that
          // totals and ingest_offsets are readable before Kafka offsets are committed
          // (docs/scale-out.md). No effect on one server. `migrate` also checks the profile.
          clickhouse_settings: { insert_distributed_sync: 1 },
        });
        this.onInsert(table, rows.length, performance.now() - started);
      },
    );
  }
}
