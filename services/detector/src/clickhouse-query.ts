import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { EvaluationContext } from '@denyscope/detections';

/** The read-only query runner rules get: rows as JSON objects; `params` are query parameters. */
export function queryRunner(client: ClickHouseClient): EvaluationContext['query'] {
  return async <T>(sql: string, params: Record<string, unknown> = {}) => {
    const result = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  };
}
