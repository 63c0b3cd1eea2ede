import { QUEUES } from '@denyscope/alerts';
import { idEnumerationRandom, seededRandom, type GeneratedEvent } from '@denyscope/scenarios';
import {
  createTopic,
  deleteRedisPrefix,
  deleteTopics,
  dropDatabase,
  migratedDatabase,
  produce,
  stackEnv,
  startService,
  testKafka,
  testNames,
  waitFor,
  type ServiceProcess,
} from '@denyscope/testkit';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import { Queue, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Far beyond the test: a detection in time can only come from a flush hint. */
const TICK_MS = '600000';

async function alertsOf(clickhouse: ClickHouseClient, rule: string): Promise<number> {
  const result = await clickhouse.query({
    query: `SELECT count() AS n FROM alerts WHERE rule = '${rule}'`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/**
 * A live scan, as production sends it: event times of the last seconds, then one event a
 * quarter-second stamped with the wall clock (other traffic), which moves the watermark on.
 */
function liveScan(): { scan: GeneratedEvent[]; tick: () => GeneratedEvent } {
  const now = Date.now();
  const scenario = idEnumerationRandom(
    { random: seededRandom(7), startMs: now - 8_000, durationMs: 6_000 },
    { spanMs: 5_000, ids: 70, ownReads: 3 },
  );
  const template = scenario.events.find((event) => event.status < 400)!;
  let n = 0;
  const tick = () => ({ ...template, ts: Date.now(), request_id: `live-${(n += 1)}` });
  return { scan: scenario.events, tick };
}

describe.each([
  { onFlush: 'true', detected: true },
  { onFlush: 'false', detected: false },
])('DETECT_ON_FLUSH=$onFlush with a 10-minute tick', ({ onFlush, detected }) => {
  const names = testNames(`flush-hints-${onFlush}`);
  const prefix = `test-flush-hints-${names.suffix}`;
  const kafka = testKafka();
  const processes: ServiceProcess[] = [];
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    clickhouse = await migratedDatabase(names.database);
    await createTopic(kafka, names.topic, 2);
    const env = {
      KAFKA_TOPIC: names.topic,
      KAFKA_GROUP_ID: names.groupId,
      CLICKHOUSE_DATABASE: names.database,
      BULLMQ_PREFIX: prefix,
      DETECT_INTERVAL_MS: TICK_MS,
      DETECT_ON_FLUSH: onFlush,
    };
    processes.push(startService('ingest', env), startService('detect', env));
    await Promise.all(
      processes.map((service) =>
        waitFor(
          'the service to start',
          () => Promise.resolve(service.output()),
          (output) => /"(ingest|detector) running"/.test(output),
          { timeoutMs: 30_000 },
        ),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(processes.map((service) => service.stop()));
    await clickhouse?.close();
    await dropDatabase(names.database);
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
    const redis = new Redis(stackEnv.REDIS_URL);
    await deleteRedisPrefix(redis, prefix);
    redis.disconnect();
  });

  it(
    detected
      ? 'opens the incident within seconds of the crossing event, from a flush-driven evaluation'
      : 'leaves the scan to the next tick (the control: without hints nothing evaluates it)',
    async () => {
      const { scan, tick } = liveScan();
      await produce(kafka, names.topic, scan);
      let found = false;
      const until = Date.now() + 10_000;
      while (!found && Date.now() < until) {
        await produce(kafka, names.topic, [tick()]);
        await sleep(250);
        found = (await alertsOf(clickhouse, 'id-enumeration')) > 0;
      }
      expect(found).toBe(detected);

      const queue = new Queue(QUEUES.detect, {
        connection: new Redis(stackEnv.REDIS_URL, { maxRetriesPerRequest: null }),
        prefix,
      });
      try {
        // The alert row is written while its evaluation is still running: wait for that job to
        // finish rather than reading the completed list at once (a busy CI machine lost the race).
        const jobNames = async (states: JobType[]) =>
          new Set((await queue.getJobs(states)).map((job) => job.name));
        if (detected) {
          await waitFor(
            'a completed flush-driven evaluation',
            () => jobNames(['completed']),
            (names) => names.has('flush'),
            { timeoutMs: 15_000 },
          );
        } else {
          expect((await jobNames(['completed', 'active', 'waiting'])).has('flush')).toBe(false);
        }
      } finally {
        await queue.close();
        await (await queue.client).quit();
      }
    },
    60_000,
  );
});
