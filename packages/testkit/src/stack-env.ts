/** What the services read to find the stack (KAFKA_BROKERS, CLICKHOUSE_URL, REDIS_URL). */
export interface StackEndpoints {
  KAFKA_BROKERS: string;
  CLICKHOUSE_URL: string;
  REDIS_URL: string;
}

/**
 * The settings `infra/stack/stack.sh` reads: ports of each part and the state directory. Unset
 * ones take the script's defaults (9092, 9093, 8123, 9000, 6379, `<repo>/.stack`).
 */
export interface StackSettings {
  KAFKA_PORT?: string;
  KAFKA_CONTROLLER_PORT?: string;
  CLICKHOUSE_HTTP_PORT?: string;
  CLICKHOUSE_TCP_PORT?: string;
  REDIS_PORT?: string;
  /** Where the stack keeps data, logs and pid files. */
  DENYSCOPE_STACK_DIR?: string;
  /** `yes`: the Redis the stack starts keeps its data across down/up (append-only file). */
  REDIS_APPENDONLY?: 'yes' | 'no';
}

/** The endpoints of a stack started with `settings` (explicit endpoint variables win). */
export function stackEndpoints(
  settings: StackSettings & Partial<StackEndpoints> = {},
): StackEndpoints {
  return {
    KAFKA_BROKERS: settings.KAFKA_BROKERS ?? `127.0.0.1:${settings.KAFKA_PORT ?? '9092'}`,
    CLICKHOUSE_URL:
      settings.CLICKHOUSE_URL ?? `http://127.0.0.1:${settings.CLICKHOUSE_HTTP_PORT ?? '8123'}`,
    REDIS_URL: settings.REDIS_URL ?? `redis://127.0.0.1:${settings.REDIS_PORT ?? '6379'}`,
  };
}

/** Endpoints of the local stack (`npm run stack:up`), overridable like the stack scripts' ports. */
export const stackEnv: StackEndpoints = stackEndpoints(process.env);
