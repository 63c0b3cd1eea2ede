import type { ClickHouseClient } from '@denyscope/clickhouse';
import { dropDatabase, migratedDatabase, testNames } from '@denyscope/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRunner } from '../src/clickhouse-query.js';
import { LAGGING_PARTITION_SILENT_S, readPartitionProgress } from '../src/watermark.js';

const T = Math.floor(Date.parse('2026-11-28T10:00:00Z') / 1000);

/** ingest_watermarks as ingest writes it (migration 006 adds lag and written_at). */
describe('partition progress from ingest_watermarks (ClickHouse)', () => {
  const names = testNames('watermark');
  let client: ClickHouseClient;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
  });
  beforeEach(async () => {
    await client.command({ query: 'TRUNCATE TABLE ingest_watermarks' });
  });
  afterAll(async () => {
    await client?.close();
    await dropDatabase(names.database);
  });

  interface Row {
    partition: number;
    max_event_time: number;
    lag: number;
    /** Seconds before now; absent: written now (the column's default). */
    writtenAgoS?: number;
  }
  async function write(...rows: Row[]): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const values = rows.map(({ writtenAgoS, ...row }) => ({
      topic: 'api-logs',
      ...row,
      ...(writtenAgoS === undefined ? {} : { written_at: now - writtenAgoS }),
    }));
    // One INSERT per row, as ingest writes one per flush: the argMax below must pick the latest.
    for (const value of values) {
      await client.insert({ table: 'ingest_watermarks', values: [value], format: 'JSONEachRow' });
    }
  }
  const progress = () => readPartitionProgress(queryRunner(client));

  it('is null before anything was ingested', async () => {
    expect(await progress()).toBeNull();
  });

  it('reports the newest partition and no lagging one when every partition is caught up', async () => {
    await write(
      { partition: 0, max_event_time: T, lag: 0 },
      { partition: 1, max_event_time: T - 100, lag: 0 },
    );
    expect(await progress()).toEqual({
      newestMs: T * 1000,
      slowestLaggingMs: null,
      aheadPartitions: 0,
    });
  });

  it('reports the slowest partition whose latest row had a backlog', async () => {
    await write(
      { partition: 0, max_event_time: T, lag: 0 },
      { partition: 1, max_event_time: T - 100, lag: 5_000 },
      { partition: 2, max_event_time: T - 40, lag: 10 },
      { partition: 3, max_event_time: T - 300, lag: 7, writtenAgoS: 30 },
    );
    expect(await progress()).toEqual({
      newestMs: T * 1000,
      slowestLaggingMs: (T - 300) * 1000,
      aheadPartitions: 0,
    });
  });

  it('takes each partition as of its latest row: a backlog worked off no longer counts', async () => {
    await write(
      { partition: 0, max_event_time: T, lag: 0 },
      { partition: 1, max_event_time: T - 100, lag: 5_000, writtenAgoS: 3 },
      { partition: 1, max_event_time: T - 20, lag: 0, writtenAgoS: 1 },
    );
    expect(await progress()).toEqual({
      newestMs: T * 1000,
      slowestLaggingMs: null,
      aheadPartitions: 0,
    });
  });

  it('does not wait for a lagging partition nobody has written for a minute', async () => {
    await write(
      { partition: 0, max_event_time: T, lag: 0 },
      {
        partition: 1,
        max_event_time: T - 100,
        lag: 5_000,
        writtenAgoS: LAGGING_PARTITION_SILENT_S + 5,
      },
    );
    expect(await progress()).toEqual({
      newestMs: T * 1000,
      slowestLaggingMs: null,
      aheadPartitions: 0,
    });
  });

  it('live: does not believe a row beyond wall time + tolerance (left by an older ingest)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await write(
      { partition: 0, max_event_time: now - 60, lag: 0 },
      { partition: 0, max_event_time: now + 23 * 3600, lag: 0 },
      { partition: 1, max_event_time: now - 30, lag: 0 },
    );
    const live = await readPartitionProgress(queryRunner(client), 300_000);
    expect(live).toEqual({
      newestMs: (now - 30) * 1000,
      slowestLaggingMs: null,
      aheadPartitions: 1,
    });
    // Replay (no tolerance) keeps pure event time.
    expect((await progress())?.newestMs).toBe((now + 23 * 3600) * 1000);
  });

  it('live: a partition left with only such a row counts as reaching the time it was written', async () => {
    const now = Math.floor(Date.now() / 1000);
    await write({ partition: 0, max_event_time: now + 23 * 3600, lag: 0, writtenAgoS: 600 });
    const live = await readPartitionProgress(queryRunner(client), 300_000);
    expect(live?.newestMs).toBe((now - 600) * 1000);
  });
});
