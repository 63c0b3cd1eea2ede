import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseConnection {
  url: string;
  database: string;
  user: string;
  password: string;
}

export type { ClickHouseClient };

/**
 * A client bound to the denyscope database. `database: null` gives one bound to `default`, for the
 * statements that run before our database exists.
 */
export function createClickHouseClient(
  connection: ClickHouseConnection,
  options: { database?: string | null; requestTimeoutMs?: number } = {},
): ClickHouseClient {
  return createClient({
    url: connection.url,
    username: connection.user,
    password: connection.password,
    database: options.database === null ? 'default' : (options.database ?? connection.database),
    request_timeout: options.requestTimeoutMs ?? 60_000,
    // Local or same-datacenter servers: compression costs more CPU than it saves on the wire.
    compression: { request: false, response: false },
    // The client would print failed requests to the console itself; callers log them (with
    // context, through pino) where they decide to retry or give up.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      // Lets DateTime columns accept RFC 3339 strings; 18.16 knows this setting.
      date_time_input_format: 'best_effort',
    },
  });
}
