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

/** Partitions each member was given, read from its "joined consumer group" log lines. */
function assignedPartitions(output: string, topic: string): number[] {
  const lines = output.split('\n').filter((line) => line.includes('joined consumer group'));
  const last = lines.at(-1);
  if (last === undefined) return [];
  const parsed = JSON.parse(last) as { memberAssignment?: Record<string, number[]> };
  return parsed.memberAssignment?.[topic] ?? [];
}

describe('ingest: two instances in one group on a 4-partition topic', () => {
  const names = testNames('group');
  const kafka = testKafka();
  const first = generateEvents({ count: 20_000, seed: 31, requestIdPrefix: 'first' });
  const second = generateEvents({ count: 10_000, seed: 32, requestIdPrefix: 'second' });
  let client: ClickHouseClient;
  let a: ServiceProcess;
  let b: ServiceProcess;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    await createTopic(kafka, names.topic, 4);
    a = startIngest(names);
    b = startIngest(names);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await client?.close();
    await dropDatabase(names.database);
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
  });

  it('shares the partitions and counts exactly', async () => {
    await waitFor(
      'both members assigned',
      () =>
        Promise.resolve([
          assignedPartitions(a.output(), names.topic),
          assignedPartitions(b.output(), names.topic),
        ]),
      ([pa, pb]) =>
        (pa?.length ?? 0) > 0 &&
        (pb?.length ?? 0) > 0 &&
        (pa?.length ?? 0) + (pb?.length ?? 0) === 4,
      { timeoutMs: 60_000 },
    );
    await produce(kafka, names.topic, first);
    await waitFor(
      'first stream counted',
      () => totalRequests(client),
      (n) => n >= first.length,
      {
        timeoutMs: 90_000,
      },
    );
    expect(await totalsByKey(client)).toEqual(expectedTotalsByKey(first));
  });

  it('hands the partitions of a stopped instance to the other', async () => {
    const stopped = await b.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    await produce(kafka, names.topic, second);
    await waitFor(
      'the survivor owns all four partitions',
      () => Promise.resolve(assignedPartitions(a.output(), names.topic)),
      (partitions) => partitions.length === 4,
      { timeoutMs: 60_000 },
    );
    const all = [...first, ...second];
    await waitFor(
      'second stream counted',
      () => totalRequests(client),
      (n) => n >= all.length,
      {
        timeoutMs: 90_000,
      },
    );
    expect(await totalsByKey(client)).toEqual(expectedTotalsByKey(all));
    const stored = await storedRequestIds(client);
    const denials = all.filter((e) => e.status === 403 && e.error === 'ownership_denied');
    expect(stored.size).toBe(denials.length);
  });
});
