import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_QUERY_LIMITS } from '@denyscope/config';

/**
 * What one query may cost the server (CLICKHOUSE_QUERY_TIMEOUT_S, CLICKHOUSE_QUERY_MAX_MEMORY_BYTES):
 * sent as `max_execution_time` and `max_memory_usage` with every query of the client, so that a
 * rule, a report or an API call over an attacker's flood fails (code 159 or 241) instead of
 * holding the server. Both are ordinary settings on 18.16 and on current servers.
 */
export interface QueryLimits {
  timeoutS: number;
  maxMemoryBytes: number;
}

export interface ClickHouseConnection {
  url: string;
  database: string;
  user: string;
  password: string;
  /** Absent: DEFAULT_QUERY_LIMITS. Config.clickhouse carries the configured ones. */
  queryLimits?: QueryLimits | undefined;
  /** PEM of a private CA for an https:// URL (CLICKHOUSE_CA_FILE); absent: the system's CAs. */
  caCert?: string | undefined;
}

export type { ClickHouseClient };

/**
 * A client bound to the denyscope database. `database: null` gives one bound to `default`, for the
 * statements that run before our database exists.
 *
 * Every query carries the connection's query limits (or the defaults); `queryLimits: null` leaves
 * them to the server, for ingest's inserts and for migrations, which must not fail half-way on a
 * read-side budget. The time limit is kept a second under the request timeout, so the caller
 * gets ClickHouse's own "Timeout exceeded" rather than a dropped socket while the query runs on.
 */
export function createClickHouseClient(
  connection: ClickHouseConnection,
  options: {
    database?: string | null;
    requestTimeoutMs?: number;
    queryLimits?: QueryLimits | null;
  } = {},
): ClickHouseClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const limits =
    options.queryLimits === null
      ? undefined
      : (options.queryLimits ?? connection.queryLimits ?? DEFAULT_QUERY_LIMITS);
  return createClient({
    url: connection.url,
    username: connection.user,
    password: connection.password,
    database: options.database === null ? 'default' : (options.database ?? connection.database),
    request_timeout: requestTimeoutMs,
    ...(connection.caCert === undefined
      ? {}
      : { tls: { ca_cert: Buffer.from(connection.caCert) } }),
    // Local or same-datacenter servers: compression costs more CPU than it saves on the wire.
    compression: { request: false, response: false },
    // The client would print failed requests to the console itself; callers log them (with
    // context, through pino) where they decide to retry or give up.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      // Lets DateTime columns accept RFC 3339 strings; 18.16 knows this setting.
      date_time_input_format: 'best_effort',
      // 64-bit integers reach JSON readers as strings on every server: 25.8 made unquoted numbers
      // the default, and code that compares a count with '0' or reads an offset above 2^53
      // would silently change meaning (tests/clickhouse-current found ingest's countedThrough
      // taking "no rows" for offset 0). 18.16 knows this setting (its default there is 1).
      output_format_json_quote_64bit_integers: 1,
      ...(limits === undefined
        ? {}
        : {
            max_execution_time: Math.max(
              1,
              Math.min(limits.timeoutS, Math.floor(requestTimeoutMs / 1000) - 1),
            ),
            // UInt64 settings travel as strings (the client's types say so).
            max_memory_usage: String(limits.maxMemoryBytes),
          }),
    },
  });
}
