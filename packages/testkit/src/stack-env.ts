/** Endpoints of the local stack (`npm run stack:up`), overridable like the stack scripts' ports. */
export const stackEnv = {
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`,
  CLICKHOUSE_URL:
    process.env.CLICKHOUSE_URL ?? `http://127.0.0.1:${process.env.CLICKHOUSE_HTTP_PORT ?? '8123'}`,
  REDIS_URL: process.env.REDIS_URL ?? `redis://127.0.0.1:${process.env.REDIS_PORT ?? '6379'}`,
};
