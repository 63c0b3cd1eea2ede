import type { ClickHouseClient } from '@denyscope/clickhouse';
import {
  createTopic,
  deleteTopics,
  dropDatabase,
  expectedTotalsByKey,
  generateEvents,
  migratedDatabase,
  produce,
  testKafka,
  testNames,
  waitFor,
  type ServiceProcess,
} from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, storedRequestIds, totalRequests, totalsByKey } from './ingest-helpers.js';

describe('ingest: SIGKILL mid-stream, then restart', () => {
  const names = testNames('crash');
  const kafka = testKafka();
  const events = generateEvents({ count: 60_000, denialRatio: 0.05, seed: 11, stepMs: 3 });
  const denialIds = events
    .filter((e) => e.status === 403 && e.error === 'ownership_denied')
    .map((e) => e.request_id);
  let client: ClickHouseClient;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    await createTopic(kafka, names.topic, 2);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await client?.close();
    await dropDatabase(names.database);
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
  });

  it('loses no request_id and counts every request once', async () => {
    // Small batches and frequent flushes, so a kill lands between insert and commit often.
    const env = { INGEST_BATCH_MAX_ROWS: '2000', INGEST_FLUSH_INTERVAL_MS: '100' };
    const producing = produce(kafka, names.topic, events, 1_000);

    for (const killAfter of [5_000, 25_000]) {
      const ingest = startIngest(names, env);
      processes.push(ingest);
      await waitFor(
        'some progress before the kill',
        () => totalRequests(client),
        (n) => n >= killAfter,
        {
          timeoutMs: 90_000,
          everyMs: 50,
        },
      );
      ingest.child.kill('SIGKILL');
      expect((await ingest.exited).signal).toBe('SIGKILL');
    }
    await producing;

    const last = startIngest(names, env);
    processes.push(last);
    await waitFor(
      'every request counted',
      () => totalRequests(client),
      (n) => n >= events.length,
      {
        timeoutMs: 120_000,
      },
    );
    const stored = await storedRequestIds(client);
    const missing = denialIds.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    expect(stored.size).toBe(denialIds.length);
    expect(await totalsByKey(client)).toEqual(expectedTotalsByKey(events));
    expect(await totalRequests(client)).toBe(events.length);
  });
});
