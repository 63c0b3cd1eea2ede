import type { ClickHouseClient } from '@denyscope/clickhouse';
import { KAFKA_CLIENTS, kafkaClientProblem, type KafkaClientName } from '@denyscope/config';
import {
  createTopic,
  deleteTopics,
  dropDatabase,
  migratedDatabase,
  rows,
  startService,
  testKafka,
  testNames,
  type ServiceProcess,
  waitFor,
} from '@denyscope/testkit';
import { type GeneratedEvent } from '@denyscope/scenarios';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe } from 'vitest';

/**
 * Declares the suite once per Kafka client ingest can run on (KAFKA_CLIENT), so both are held to
 * the same tests. A client the running Node.js cannot load (platformatic before 22.22) is skipped
 * with the reason in the suite's name, so the report shows what did not run and why.
 */
export function describeEachKafkaClient(
  title: string,
  body: (client: KafkaClientName) => void,
): void {
  for (const client of KAFKA_CLIENTS) {
    const problem = kafkaClientProblem(client, process.versions.node);
    if (problem === null) describe(`${title} [${client}]`, () => body(client));
    else {
      // The default reporter shows only a count of skipped tests; say which and why.
      console.warn(`skipped: ${title} [${client}]: ${problem}`);
      describe.skip(`${title} [${client}: skipped, ${problem}]`, () => body(client));
    }
  }
}

export interface IngestTestTarget {
  topic: string;
  dlqTopic: string;
  groupId: string;
  database: string;
  kafka: Kafka;
  /** KAFKA_CLIENT of every ingest this target starts. */
  kafkaClient: KafkaClientName;
  /** Bound to the test's database; valid inside tests (created in beforeAll). */
  clickhouse: () => ClickHouseClient;
  /** `denyscope ingest` as a child process on this target; stopped after the suite. */
  startIngest: (env?: Record<string, string>) => ServiceProcess;
}

/**
 * Gives a describe block its own topic (with `partitions`), consumer group and migrated
 * ClickHouse database, and removes them, and any ingest process it started, afterwards. The
 * ingest processes it starts use the Kafka client `kafkaClient`; the test's own producer and readers
 * stay on kafkajs (testkit), so each client is checked against an independent one.
 */
export function useIngestTarget(
  prefix: string,
  partitions: number,
  kafkaClient: KafkaClientName,
): IngestTestTarget {
  const names = testNames(`${prefix}.${kafkaClient}`);
  const kafka = testKafka();
  const processes: ServiceProcess[] = [];
  let client: ClickHouseClient | undefined;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    await createTopic(kafka, names.topic, partitions);
  });

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.stop()));
    await client?.close();
    await dropDatabase(names.database);
    await deleteTopics(kafka, [names.topic, `${names.topic}.dlq`]);
  });

  return {
    ...names,
    dlqTopic: `${names.topic}.dlq`,
    kafka,
    kafkaClient,
    clickhouse: () => {
      if (client === undefined) throw new Error('the ClickHouse client exists once beforeAll ran');
      return client;
    },
    startIngest: (env = {}) => {
      const process = startService('ingest', {
        KAFKA_TOPIC: names.topic,
        KAFKA_GROUP_ID: names.groupId,
        CLICKHOUSE_DATABASE: names.database,
        INGEST_FLUSH_INTERVAL_MS: '300',
        KAFKA_CLIENT: kafkaClient,
        ...env,
      });
      processes.push(process);
      return process;
    },
  };
}

export function isDenial(event: GeneratedEvent): boolean {
  return event.status === 403 && event.error === 'ownership_denied';
}

export async function storedRequestIds(client: ClickHouseClient): Promise<Set<string>> {
  const found = await rows<{ request_id: string }>(
    client,
    'SELECT DISTINCT request_id FROM denials',
  );
  return new Set(found.map((row) => row.request_id));
}

/** Denials of `events` that are not in ClickHouse (an empty list is what every test wants). */
export async function missingDenials(
  client: ClickHouseClient,
  events: readonly GeneratedEvent[],
): Promise<string[]> {
  const stored = await storedRequestIds(client);
  return events.filter((e) => isDenial(e) && !stored.has(e.request_id)).map((e) => e.request_id);
}

/** Request totals per key, read as dashboards and rules must read them: FINAL folds replays. */
export async function totalsByKey(
  client: ClickHouseClient,
): Promise<Map<string, { requests: number; denials: number }>> {
  const found = await rows<{ key_id: string; requests: string; denials: string }>(
    client,
    'SELECT key_id, sum(requests) AS requests, sum(denials) AS denials FROM request_totals FINAL GROUP BY key_id',
  );
  return new Map(
    found.map((row) => [
      row.key_id,
      { requests: Number(row.requests), denials: Number(row.denials) },
    ]),
  );
}

export async function totalRequests(client: ClickHouseClient): Promise<number> {
  const [row] = await rows<{ n: string }>(
    client,
    'SELECT sum(requests) AS n FROM request_totals FINAL',
  );
  return Number(row?.n ?? 0);
}

/**
 * Waits until request_totals counts at least `count` requests (what every test that produced
 * events waits for before it checks them); `what` names the wait in the timeout's message.
 */
export function waitForRequestsCounted(
  what: string,
  client: ClickHouseClient,
  count: number,
  { timeoutMs = 90_000 } = {},
): Promise<number> {
  return waitFor(
    what,
    () => totalRequests(client),
    (n) => n >= count,
    { timeoutMs },
  );
}
