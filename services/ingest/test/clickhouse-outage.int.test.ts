import type { ClickHouseClient } from '@denyscope/clickhouse';
import {
  createTopic,
  deleteTopics,
  dropDatabase,
  expectedTotalsByKey,
  generateEvents,
  migratedDatabase,
  produce,
  stack,
  testKafka,
  testNames,
  waitFor,
  type ServiceProcess,
} from '@denyscope/testkit';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, storedRequestIds, totalRequests, totalsByKey } from './ingest-helpers.js';

describe('ingest: ClickHouse stopped for 20 s mid-stream', () => {
  const names = testNames('chdown');
  const kafka = testKafka();
  const before = generateEvents({ count: 10_000, seed: 21, requestIdPrefix: 'before' });
  const during = generateEvents({ count: 20_000, seed: 22, requestIdPrefix: 'during' });
  const all = [...before, ...during];
  let client: ClickHouseClient;
  let ingest: ServiceProcess;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    await createTopic(kafka, names.topic, 2);
    ingest = startIngest(names, { INGEST_RETRY_MAX_MS: '2000' });
  });

  afterAll(async () => {
    await stack('up', 'clickhouse');
    await ingest?.stop();
    await client?.close();
    await dropDatabase(names.database);
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
  });

  it('waits, recovers by itself and loses nothing', async () => {
    await produce(kafka, names.topic, before);
    await waitFor(
      'first events stored',
      () => totalRequests(client),
      (n) => n >= before.length,
    );

    await stack('down', 'clickhouse');
    const downAt = Date.now();
    await produce(kafka, names.topic, during);
    await sleep(Math.max(0, 20_000 - (Date.now() - downAt)));
    expect(ingest.child.exitCode, 'ingest must survive the outage').toBeNull();
    expect(ingest.output()).toMatch(/consumption paused, retrying/);
    await stack('up', 'clickhouse');

    await waitFor(
      'every request counted after recovery',
      () => totalRequests(client),
      (n) => n >= all.length,
      {
        timeoutMs: 120_000,
      },
    );
    expect(ingest.output()).toMatch(/storage recovered; consumption resumed/);
    expect(ingest.child.exitCode).toBeNull();

    const stored = await storedRequestIds(client);
    const missing = all
      .filter(
        (e) => e.status === 403 && e.error === 'ownership_denied' && !stored.has(e.request_id),
      )
      .map((e) => e.request_id);
    expect(missing).toEqual([]);
    expect(await totalsByKey(client)).toEqual(expectedTotalsByKey(all));
  });
});
