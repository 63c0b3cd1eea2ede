import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { EvaluationContext } from '@denyscope/detections';

/** The read-only query runner rules get: rows as JSON objects. */
export function queryRunner(client: ClickHouseClient): EvaluationContext['query'] {
  return async <T>(sql: string) => {
    const result = await client.query({ query: sql, format: 'JSONEachRow' });
    return result.json<T>();
  };
}
