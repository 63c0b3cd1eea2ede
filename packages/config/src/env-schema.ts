import { RULE_IDS, SEVERITIES, type RuleId } from '@denyscope/alerts';
import {
  DURATION_MESSAGE,
  DurationError,
  durationRangeMessage,
  parseDuration,
} from '@denyscope/events';
import { z } from 'zod';
import { apiEnv } from './sections/api.js';
import { CONNECTION_SECRETS, connectionsEnv } from './sections/connections.js';
import { reporterEnv } from './sections/reporter.js';
import { simulatorEnv } from './sections/simulator.js';
import { kafkaClientEnv } from './sections/kafka-client.js';

// Every option a user can set, by the environment variable that sets it. Defaults suit the local
// stack (`npm run stack:up`); README.md documents each one. Names used by deployment tooling
// (KAFKA_*, CLICKHOUSE_*, REDIS_URL, LOG_LEVEL) must not change.

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

const commaSeparated = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

const brokers = commaSeparated.refine(
  (list) => list.length > 0 && list.every((broker) => hostPort.test(broker)),
  { message: 'expected a comma-separated list of host:port, e.g. 127.0.0.1:9092' },
);

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/**
 * A variable in a unit of its own (CLICKHOUSE_QUERY_TIMEOUT_S, RETENTION_DAYS): a whole number of
 * that unit only, not a duration, so `RETENTION_DAYS=90d` is refused with the unit named.
 */
const wholeUnits = (unit: string, min: number, max: number) => {
  const message = `expected a whole number of ${unit} from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, { message })
    .transform(Number)
    .pipe(z.number().int().min(min, { message }).max(max, { message }));
};

/** What a `*_MS` variable says when its text is neither a duration nor whole milliseconds. */
export const ENV_DURATION_MESSAGE = `${DURATION_MESSAGE}, or whole milliseconds`;

/**
 * A `*_MS` variable, from `min` to `max` ms: whole milliseconds as always (`2000`), or a duration
 * of the shared grammar (`2s`) read by the parseDuration of the CLI, API and rules file.
 */
const durationMs = (min: number, max: number) => {
  const limits = { minMs: min, maxMs: max };
  const range = `${durationRangeMessage(limits)}, or whole milliseconds from ${min} to ${max}`;
  return z.string().transform((text, ctx) => {
    let ms: number;
    try {
      ms = /^\d+$/.test(text) ? Number(text) : parseDuration(text, { minMs: 0 });
    } catch (error) {
      if (!(error instanceof DurationError)) throw error;
      ctx.addIssue({ code: 'custom', message: ENV_DURATION_MESSAGE });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: range });
      return z.NEVER;
    }
    return ms;
  });
};

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const list = commaSeparated.refine((items) => items.length > 0, {
  message: 'expected a comma-separated, non-empty list',
});

const severity = z.enum(SEVERITIES, {
  message: `expected one of ${SEVERITIES.join(', ')}`,
});

const isRuleId = (value: string): value is RuleId =>
  (RULE_IDS as readonly string[]).includes(value);

const ruleIds = commaSeparated
  .refine((items) => items.length > 0 && items.every(isRuleId), {
    message: `expected comma-separated rule IDs from: ${RULE_IDS.join(', ')}`,
  })
  .transform((items) => items.filter(isRuleId));

const httpUrl = url(['http:', 'https:']);

/** A `whsec_` secret must decode to the 24–64 key bytes the Standard Webhooks spec asks for. */
function isWebhookSecret(value: string): boolean {
  if (!value.startsWith('whsec_')) return true;
  const encoded = value.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/**
 * INGEST_KEY_READS_PER_MINUTE unless set; also what `denyscope replay`'s loader uses when its
 * caller passes no configuration.
 */
export const DEFAULT_KEY_READS_PER_MINUTE = 100;

/** DETECT_MAX_NEW_INCIDENTS_PER_RULE unless set (also the incident manager's own default). */
export const DEFAULT_MAX_NEW_INCIDENTS_PER_RULE = 20;

/** DETECT_RESOLVED_TTL_MS unless set (also the Redis incident store's own default): 7 days. */
export const DEFAULT_RESOLVED_TTL_MS = 7 * 86_400_000;

/**
 * CLICKHOUSE_QUERY_TIMEOUT_S and CLICKHOUSE_QUERY_MAX_MEMORY_BYTES unless set. The timeout stays
 * under the client's 60 s request timeout, so a caller sees ClickHouse's own "Timeout exceeded"
 * (code 159) rather than a dropped socket while the query runs on; 4 GB leaves room for several
 * such queries under the server's 10 GB default.
 */
export const DEFAULT_QUERY_LIMITS = Object.freeze({ timeoutS: 50, maxMemoryBytes: 4_000_000_000 });

export const envSchema = z.object({
  KAFKA_BROKERS: brokers.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('denyscope'),
  KAFKA_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, { message: 'expected a Kafka topic name' })
    .default('api.responses'),
  KAFKA_DLQ_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, { message: 'expected a Kafka topic name' })
    .optional(),
  KAFKA_GROUP_ID: z.string().min(1).default('denyscope-ingest'),
  KAFKA_FROM_BEGINNING: bool.default(true),
  KAFKA_SESSION_TIMEOUT_MS: durationMs(6_000, 300_000).default(30_000),
  // Fetch sizes bound ingest's memory: kafkajs holds a whole fetch response (twice, while it
  // reassembles it) plus one object per message until every batch of the fetch is processed. The
  // messages of a large fetch outlive young-generation collections, and the response buffer they
  // point into then waits for a full collection: in the 1M-event benchmark (Node 24) peak RSS was
  // 238–266 MB with 8 MiB fetches (2 MiB per partition), 206–217 MB with 4 MiB and 186–202 MB
  // with 2 MiB (1 MiB per partition); CPU per event stayed within the run-to-run spread. 1 MiB
  // per partition is the Java, librdkafka and kafkajs default, and holds a whole record batch of
  // librdkafka's default size (batch.size 1,000,000 bytes).
  KAFKA_FETCH_MAX_BYTES: int(65_536, 268_435_456).default(2 * 1_048_576),
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: int(16_384, 268_435_456).default(1_048_576),
  CLICKHOUSE_URL: url(['http:', 'https:']).default('http://127.0.0.1:8123'),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(identifier, { message: 'expected a database name of letters, digits and _' })
    .default('denyscope'),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  // Limits every read query of the detector, reporter, API and CLI carries (not ingest's inserts).
  CLICKHOUSE_QUERY_TIMEOUT_S: wholeUnits('seconds', 1, 86_400).default(
    DEFAULT_QUERY_LIMITS.timeoutS,
  ),
  CLICKHOUSE_QUERY_MAX_MEMORY_BYTES: int(10_000_000, Number.MAX_SAFE_INTEGER).default(
    DEFAULT_QUERY_LIMITS.maxMemoryBytes,
  ),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  // Unset: one ClickHouse server. Set: the schema is created ON CLUSTER (docs/scale-out.md).
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(identifier, { message: 'expected a cluster name of letters, digits and _' })
    .optional(),
  CLICKHOUSE_ZOOKEEPER_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9_.{}-]+)+$/, {
      message: 'expected a ZooKeeper path such as /clickhouse/tables (no trailing /)',
    })
    .optional(),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  BULLMQ_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'expected letters, digits, _ . - (at most 64)' })
    .default('denyscope'),
  DETECT_INTERVAL_MS: durationMs(500, 3_600_000).default(2_000),
  // docs/rules.md, "When rules run": ingest tells the detector each flush that landed.
  DETECT_ON_FLUSH: bool.default(true),
  DETECT_ALLOWED_LATENESS_MS: durationMs(0, 3_600_000).default(1_000),
  DETECT_PARTITION_WAIT_MS: durationMs(0, 86_400_000).default(300_000),
  DETECT_RESOLVE_AFTER_MS: durationMs(60_000, 86_400_000).default(900_000),
  DETECT_CATCHUP_STEP_MS: durationMs(1_000, 3_600_000).default(60_000),
  DETECT_CATCHUP_MAX_MS: durationMs(0, 7 * 86_400_000).default(6 * 3_600_000),
  DETECT_CATCHUP_STEPS_PER_TICK: int(1, 1_000).default(30),
  // docs/rules.md, "Bounded blast radius": a rule opens at most this many incidents of its own;
  // further subjects join the rule's one digest incident.
  DETECT_MAX_NEW_INCIDENTS_PER_RULE: int(1, 10_000).default(DEFAULT_MAX_NEW_INCIDENTS_PER_RULE),
  // At least a day: a resolved incident must outlive the longest rule window (24 h), or the
  // window's old events would open it again as new.
  DETECT_RESOLVED_TTL_MS: durationMs(86_400_000, 366 * 86_400_000).default(DEFAULT_RESOLVED_TTL_MS),
  RULES_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RETENTION_DAYS: wholeUnits('days', 1, 3650).default(90),
  ENVIRONMENTS: list.default(['production', 'staging', 'sandbox', 'development']),
  ENV_MARKERS: z.string().optional(),
  // Ingest holds up to two batches (one pending, one being stored). With 50,000 events each, peak
  // RSS of the 1M-event benchmark was about 10 MB lower than with 100,000 (183–193 vs 196–202 MB,
  // Node 24, 2 MiB fetches) at the same CPU per event. Live traffic under 50,000 events/s per
  // instance is flushed by INGEST_FLUSH_INTERVAL_MS before it reaches either.
  INGEST_BATCH_MAX_ROWS: int(1, 1_000_000).default(50_000),
  INGEST_FLUSH_INTERVAL_MS: durationMs(10, 60_000).default(1_000),
  // Live event time runs at most this far ahead of wall time (ARCHITECTURE "Event time, safely").
  DETECT_FUTURE_TOLERANCE_MS: durationMs(0, 3_600_000).default(300_000),
  DETECT_RULE_FAILURE_ALERT_AFTER: int(1, 1_000).default(3),
  INGEST_MAX_BUFFER_BYTES: int(1_048_576, 2_147_483_647).default(64 * 1_048_576),
  INGEST_MAX_MESSAGE_BYTES: int(1_024, 16_777_216).default(262_144),
  INGEST_RETRY_MAX_MS: durationMs(100, 600_000).default(30_000),
  INGEST_KEY_READS_PER_MINUTE: int(0, 10_000).default(DEFAULT_KEY_READS_PER_MINUTE),
  // Notifier. A sink is enabled by its required setting (URL or key); load-config.ts builds the
  // per-sink sections and checks the settings that depend on each other.
  NOTIFY_CONCURRENCY: int(1, 100).default(4),
  NOTIFY_ATTEMPTS: int(1, 50).default(8),
  NOTIFY_BACKOFF_MS: durationMs(100, 3_600_000).default(2_000),
  NOTIFY_HTTP_TIMEOUT_MS: durationMs(100, 300_000).default(10_000),
  NOTIFY_RUNBOOK_BASE_URL: httpUrl.optional(),
  SLACK_WEBHOOK_URL: httpUrl.optional(),
  NOTIFY_SLACK_MIN_SEVERITY: severity.default('medium'),
  NOTIFY_SLACK_RULES: ruleIds.optional(),
  PAGERDUTY_ROUTING_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, { message: 'expected a PagerDuty integration key' })
    .optional(),
  PAGERDUTY_EVENTS_URL: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
  NOTIFY_PAGERDUTY_MIN_SEVERITY: severity.default('high'),
  NOTIFY_PAGERDUTY_RULES: ruleIds.optional(),
  WEBHOOK_URL: httpUrl.optional(),
  // Standard Webhooks' `whsec_<base64 of 24–64 bytes>`, or (older setups) any 16+ characters.
  WEBHOOK_SECRET: z
    .string()
    .min(16, { message: 'expected at least 16 characters' })
    .refine(isWebhookSecret, {
      message: 'expected whsec_ followed by the base64 of 24 to 64 random bytes',
    })
    .optional(),
  NOTIFY_WEBHOOK_MIN_SEVERITY: severity.default('info'),
  NOTIFY_WEBHOOK_RULES: ruleIds.optional(),
  NOTIFY_LOG_ENABLED: bool.default(true),
  NOTIFY_LOG_MIN_SEVERITY: severity.default('info'),
  NOTIFY_LOG_RULES: ruleIds.optional(),
  // Sections with a file of their own (sections/*.ts): one file per service, one line here.
  ...connectionsEnv,
  ...kafkaClientEnv,
  ...reporterEnv,
  ...apiEnv,
  ...simulatorEnv,
});

/** Variables whose values never appear in a ConfigError (they are, or embed, credentials). */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'SLACK_WEBHOOK_URL',
  'PAGERDUTY_ROUTING_KEY',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
  'API_ADMIN_TOKENS',
  'API_ACCOUNT_TOKENS',
  'CLICKHOUSE_PASSWORD',
  ...CONNECTION_SECRETS,
]);

export type RawEnv = z.input<typeof envSchema>;
export type ParsedEnv = z.output<typeof envSchema>;
