import { produce, waitFor } from '@denyscope/testkit';
import { expectedTotalsByKey, generateEvents } from '@denyscope/scenarios';
import { expect, it } from 'vitest';
import {
  isDenial,
  missingDenials,
  storedRequestIds,
  totalRequests,
  totalsByKey,
  useIngestTarget,
  describeEachKafkaClient,
} from './ingest-helpers.js';

describeEachKafkaClient('ingest: SIGKILL mid-stream, then restart', (kafkaClient) => {
  const target = useIngestTarget('crash', 2, kafkaClient);
  const events = generateEvents({ count: 60_000, denialRatio: 0.05, seed: 11, stepMs: 3 });

  it('loses no request_id and counts every request once', async () => {
    const client = target.clickhouse();
    // Small batches and frequent flushes, so a kill lands between insert and commit often.
    // A short session timeout hands a killed member's partitions on sooner.
    const env = {
      INGEST_BATCH_MAX_ROWS: '2000',
      INGEST_FLUSH_INTERVAL_MS: '100',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    const producing = produce(target.kafka, target.topic, events, 1_000);

    for (const killAfter of [5_000, 25_000]) {
      const ingest = target.startIngest(env);
      await waitFor(
        'some progress before the kill',
        () => totalRequests(client),
        (n) => n >= killAfter,
        { timeoutMs: 90_000, everyMs: 50 },
      );
      ingest.child.kill('SIGKILL');
      expect((await ingest.exited).signal).toBe('SIGKILL');
    }
    await producing;

    target.startIngest(env);
    await waitFor(
      'every request counted',
      () => totalRequests(client),
      (n) => n >= events.length,
      { timeoutMs: 120_000 },
    );
    expect(await missingDenials(client, events)).toEqual([]);
    expect((await storedRequestIds(client)).size).toBe(events.filter(isDenial).length);
    expect(await totalsByKey(client)).toEqual(expectedTotalsByKey(events));
    expect(await totalRequests(client)).toBe(events.length);
  });
});
