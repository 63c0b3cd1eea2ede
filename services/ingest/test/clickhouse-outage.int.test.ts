import { produce, stack, waitFor } from '@denyscope/testkit';
import { expectedTotalsByKey, generateEvents } from '@denyscope/scenarios';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import {
  missingDenials,
  totalRequests,
  totalsByKey,
  useIngestTarget,
  describeEachKafkaClient,
} from './ingest-helpers.js';

describeEachKafkaClient('ingest: ClickHouse stopped for 20 s mid-stream', (kafkaClient) => {
  const target = useIngestTarget('chdown', 2, kafkaClient);
  const before = generateEvents({ count: 10_000, seed: 21, requestIdPrefix: 'before' });
  const during = generateEvents({ count: 20_000, seed: 22, requestIdPrefix: 'during' });
  const all = [...before, ...during];

  // Whatever happens in the test, the next one needs ClickHouse (registered after the target's
  // own afterAll, so it runs first: vitest runs afterAll hooks in reverse order).
  afterAll(() => stack('up', 'clickhouse'));

  it('waits, recovers by itself and loses nothing', async () => {
    const client = target.clickhouse();
    const ingest = target.startIngest({ INGEST_RETRY_MAX_MS: '2000' });
    await produce(target.kafka, target.topic, before);
    await waitFor(
      'first events stored',
      () => totalRequests(client),
      (n) => n >= before.length,
    );

    await stack('down', 'clickhouse');
    const downAt = Date.now();
    await produce(target.kafka, target.topic, during);
    await sleep(Math.max(0, 20_000 - (Date.now() - downAt)));
    expect(ingest.child.exitCode, 'ingest must survive the outage').toBeNull();
    expect(ingest.output()).toMatch(/consumption paused, retrying/);
    await stack('up', 'clickhouse');

    await waitFor(
      'every request counted after recovery',
      () => totalRequests(client),
      (n) => n >= all.length,
      { timeoutMs: 120_000 },
    );
    expect(ingest.output()).toMatch(/storage recovered; consumption resumed/);
    expect(ingest.child.exitCode).toBeNull();
    expect(await missingDenials(client, all)).toEqual([]);
    expect(await totalsByKey(client)).toEqual(expectedTotalsByKey(all));
  });
});
