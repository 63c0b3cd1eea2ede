/**
 * Log fields that pino replaces with `[REDACTED]` before a line is written.
 *
 * pino's redaction (@pinojs/redact) matches explicit paths only: `*` stands for exactly one key,
 * and there is no "any depth" wildcard. So every secret-bearing key is listed at the top level, one
 * level down (`log.info({ clickhouse }, ...)`) and two levels down (`log.info({ config }, ...)`,
 * where `config.clickhouse.password` lives). Anything deeper is NOT redacted: log the narrow
 * object, never a whole config tree or request.
 */
const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'cookie',
  'clickhousePassword',
];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  // Response headers may carry session cookies. Request headers are covered by `*.authorization`
  // and `*.cookie` above (Node lower-cases incoming header names).
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
  // REDIS_URL conventionally embeds the password (redis://:secret@host:6379), so the whole URL
  // goes. Log the host separately if it is needed.
  'redis.url',
  '*.redis.url',
  'redisUrl',
  '*.redisUrl',
  // A TLS client's private key (KAFKA_SSL_KEY_FILE's contents in config.kafka.ssl.key). Not the
  // bare `key`: key IDs are what denyscope logs most.
  'ssl.key',
  '*.ssl.key',
  '*.*.ssl.key',
];

export const REDACTED = '[REDACTED]';
