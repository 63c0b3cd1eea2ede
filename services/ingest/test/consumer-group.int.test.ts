import { produce, waitFor, type ServiceProcess } from '@denyscope/testkit';
import { expectedTotalsByKey, generateEvents } from '@denyscope/scenarios';
import { beforeAll, expect, it } from 'vitest';
import {
  missingDenials,
  totalsByKey,
  useIngestTarget,
  describeEachKafkaClient,
  waitForRequestsCounted,
} from './ingest-helpers.js';

/** Partitions each member was given, read from its "joined consumer group" log lines. */
function assignedPartitions(output: string, topic: string): number[] {
  const lines = output.split('\n').filter((line) => line.includes('joined consumer group'));
  const last = lines.at(-1);
  if (last === undefined) return [];
  const parsed = JSON.parse(last) as { memberAssignment?: Record<string, number[]> };
  return parsed.memberAssignment?.[topic] ?? [];
}

describeEachKafkaClient(
  'ingest: two instances in one group on a 4-partition topic',
  (kafkaClient) => {
    const target = useIngestTarget('group', 4, kafkaClient);
    const names = target;
    const first = generateEvents({ count: 20_000, seed: 31, requestIdPrefix: 'first' });
    const second = generateEvents({ count: 10_000, seed: 32, requestIdPrefix: 'second' });
    let a: ServiceProcess;
    let b: ServiceProcess;

    beforeAll(() => {
      a = target.startIngest();
      b = target.startIngest();
    });

    it('shares the partitions and counts exactly', async () => {
      const client = target.clickhouse();
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
      await produce(target.kafka, target.topic, first);
      await waitForRequestsCounted('first stream counted', client, first.length);
      expect(await totalsByKey(client)).toEqual(expectedTotalsByKey(first));
    });

    it('hands the partitions of a stopped instance to the other', async () => {
      const client = target.clickhouse();
      const stopped = await b.stop('SIGTERM');
      expect(stopped.code).toBe(0);
      await produce(target.kafka, target.topic, second);
      await waitFor(
        'the survivor owns all four partitions',
        () => Promise.resolve(assignedPartitions(a.output(), names.topic)),
        (partitions) => partitions.length === 4,
        { timeoutMs: 60_000 },
      );
      const all = [...first, ...second];
      await waitForRequestsCounted('second stream counted', client, all.length);
      expect(await totalsByKey(client)).toEqual(expectedTotalsByKey(all));
      expect(await missingDenials(client, all)).toEqual([]);
    });
  },
);
