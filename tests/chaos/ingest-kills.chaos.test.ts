import { quoteString } from '@denyscope/clickhouse';
import { rows, waitFor } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { expectNoLossNoDuplicate, storedCounts } from './support/checks.js';
import { usePipeline, type Pipeline } from './support/pipeline.js';
import { EventFeed } from './support/producer.js';
import { profile } from './support/profile.js';
import { chaosStream } from './support/streams.js';

const KILLS = 3;
/** Each kill follows a burst of this share of the stream, so that ingest is busy with a backlog. */
const BURST = 0.15;

/**
 * Partitions whose stored range (ingest_offsets) reaches past the group's committed offset: the
 * kill came between a batch's INSERTs and its commit, and the next owner reads stored messages
 * again.
 */
async function storedButUncommitted(pipeline: Pipeline, groupId: string): Promise<number> {
  const stored = await rows<{ partition: number; end_offset: string }>(
    pipeline.clickhouse(),
    `SELECT partition, max(end_offset) AS end_offset FROM ingest_offsets
     WHERE topic = ${quoteString(pipeline.topic)} GROUP BY partition`,
  );
  const admin = pipeline.kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [pipeline.topic] });
    return stored.filter((s) => {
      const c = committed?.partitions.find((p) => p.partition === Number(s.partition));
      return (
        BigInt(s.end_offset) + 1n >
        BigInt(c?.offset === undefined || c.offset === '-1' ? 0 : c.offset)
      );
    }).length;
  } finally {
    await admin.disconnect();
  }
}

describe(`chaos: ingest SIGKILLed mid-batch ${KILLS} times while the stream runs`, () => {
  // Small batches flushed every 100 ms, back to back while a burst is worked through: a kill
  // then nearly always lands between a batch's INSERTs and its offset commit.
  const pipeline = usePipeline({
    name: 'ingestkill',
    env: { INGEST_BATCH_MAX_ROWS: '2000', INGEST_FLUSH_INTERVAL_MS: '100' },
  });
  const stream = chaosStream(profile, 11);

  it('loses no request_id, counts every request once, notifies every change once', async () => {
    pipeline.start('detect');
    pipeline.start('notify');
    let ingest = pipeline.start('ingest');
    const feed = new EventFeed(pipeline.producer(), stream.events);
    const client = pipeline.clickhouse();

    const kills: string[] = [];
    let betweenInsertAndCommit = 0;
    for (let kill = 1; kill <= KILLS; kill += 1) {
      // A burst gives this instance a backlog; the stream goes on while it works through it.
      const before = (await storedCounts(client)).requests;
      await feed.produce({ share: BURST, durationMs: 0 });
      const producing = feed.produce({ share: 0.05, durationMs: profile.killStreamProduceMs / 10 });
      // Killed in the middle of it, right after a flush landed (a quarter of the burst stored):
      // batches of 2,000 rows go back to back, so one is always pending, often half stored.
      const stored = await waitFor(
        `ingest #${kill} storing`,
        () => storedCounts(client),
        (n) => n.requests >= before + (stream.events.length * BURST) / 4,
        { timeoutMs: 120_000, everyMs: 2 },
      );
      await pipeline.kill(ingest);
      expect(ingest.child.signalCode).toBe('SIGKILL');
      expect(stored.requests, 'killed with a backlog').toBeLessThan(feed.produced.length);
      const uncommitted = await storedButUncommitted(pipeline, pipeline.groupId);
      if (uncommitted > 0) betweenInsertAndCommit += 1;
      kills.push(`${stored.requests}/${feed.produced.length}`);
      ingest = pipeline.start('ingest');
      await producing;
    }
    await feed.produce({ durationMs: profile.killStreamProduceMs * 0.4 });
    console.info(
      `chaos ingestkill: killed at stored/produced requests ${kills.join(', ')}; ` +
        `${betweenInsertAndCommit} of ${KILLS} kills between a batch's INSERTs and its commit`,
    );

    await expectNoLossNoDuplicate(pipeline, stream);
  });
});
