import type { ClickHouseClient } from '@denyscope/clickhouse';
import { rows, startService, type ServiceProcess } from '@denyscope/testkit';

export interface TestTarget {
  topic: string;
  groupId: string;
  database: string;
}

/** `denyscope ingest` as a child process on a test's own topic, group and database. */
export function startIngest(
  target: TestTarget,
  extraEnv: Record<string, string> = {},
): ServiceProcess {
  return startService('ingest', {
    KAFKA_TOPIC: target.topic,
    KAFKA_GROUP_ID: target.groupId,
    CLICKHOUSE_DATABASE: target.database,
    INGEST_FLUSH_INTERVAL_MS: '300',
    ...extraEnv,
  });
}

export async function storedRequestIds(client: ClickHouseClient): Promise<Set<string>> {
  const found = await rows<{ request_id: string }>(
    client,
    'SELECT DISTINCT request_id FROM denials',
  );
  return new Set(found.map((row) => row.request_id));
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
