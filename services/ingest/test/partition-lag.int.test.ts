import { produce, rows, waitFor } from '@denyscope/testkit';
import { generateEvents } from '@denyscope/scenarios';
import { expect, it } from 'vitest';
import { totalRequests, useIngestTarget, describeEachKafkaClient } from './ingest-helpers.js';

/**
 * ingest_watermarks.lag: what the detector reads to wait for partitions still working through a
 * backlog (services/detector/src/watermark.ts reads each partition's latest row the same way).
 * Small fetches and batches make ingest flush many times while the backlog lasts. The table keeps
 * one row per partition once merged, so the test watches it while ingest works.
 */
describeEachKafkaClient('ingest: per-partition lag in ingest_watermarks', (kafkaClient) => {
  const target = useIngestTarget('lag', 2, kafkaClient);
  const events = generateEvents({ count: 12_000, denialRatio: 0.05, seed: 11 });

  it('reports the backlog while it lasts and 0 once caught up', async () => {
    await produce(target.kafka, target.topic, events);
    const latestLag = () =>
      rows<{ partition: number; lag: string }>(
        target.clickhouse(),
        `SELECT partition, argMax(lag, tuple(written_at, max_event_time)) AS lag
         FROM ingest_watermarks GROUP BY partition ORDER BY partition`,
      );
    const most = new Map<number, number>();
    target.startIngest({
      KAFKA_FETCH_MAX_BYTES_PER_PARTITION: '16384',
      INGEST_BATCH_MAX_ROWS: '500',
      INGEST_FLUSH_INTERVAL_MS: '50',
    });
    await waitFor(
      'all requests counted',
      async () => {
        for (const row of await latestLag()) {
          const partition = Number(row.partition);
          most.set(partition, Math.max(most.get(partition) ?? 0, Number(row.lag)));
        }
        return totalRequests(target.clickhouse());
      },
      (n) => n >= events.length,
      { timeoutMs: 90_000, everyMs: 20 },
    );
    // Both partitions started with thousands of messages waiting, and the flushes said so.
    for (const partition of [0, 1]) {
      expect(most.get(partition), `largest lag seen, partition ${partition}`).toBeGreaterThan(100);
      expect(most.get(partition)).toBeLessThan(events.length);
    }
    await waitFor(
      'every partition caught up',
      latestLag,
      (found) => found.length === 2 && found.every((row) => Number(row.lag) === 0),
    );
  });
});
