import { parseEnvMarkers, type EnvMarkers } from '@denyscope/events';
import { z } from 'zod';
import { defineSection } from './define-section.js';
import { ConfigError } from './errors.js';
import {
  CONNECTION_SECRETS,
  connectionsEnv,
  connectionsSection,
  type KafkaSasl,
  type KafkaTls,
} from './sections/connections.js';
import {
  kafkaClientEnv,
  kafkaClientSection,
  type KafkaClientName,
} from './sections/kafka-client.js';
import {
  IDENTIFIER,
  bool,
  brokers,
  durationMs,
  int,
  list,
  text,
  url,
  wholeUnits,
} from './variables.js';

// The shared section: the connections (Kafka, ClickHouse, Redis), the event rules and LOG_LEVEL,
// and the settings more than one service reads. loadConfig always validates it; each service's
// own variables live in its section beside its code (services/*/src/config.ts). Defaults suit the
// local stack (`npm run stack:up`); README.md documents each variable. Names used by deployment
// tooling (KAFKA_*, CLICKHOUSE_*, REDIS_URL, LOG_LEVEL) must not change.

/**
 * CLICKHOUSE_QUERY_TIMEOUT_S and CLICKHOUSE_QUERY_MAX_MEMORY_BYTES unless set. The timeout stays
 * under the client's 60 s request timeout, so a caller sees ClickHouse's own "Timeout exceeded"
 * (code 159) rather than a dropped socket while the query runs on; 4 GB leaves room for several
 * such queries under the server's 10 GB default.
 */
export const DEFAULT_QUERY_LIMITS = Object.freeze({ timeoutS: 50, maxMemoryBytes: 4_000_000_000 });

const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, { message: 'expected a Kafka topic name' });

export const sharedVariables = {
  KAFKA_BROKERS: brokers.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: text.default('denyscope'),
  KAFKA_TOPIC: topicName.default('api.responses'),
  KAFKA_DLQ_TOPIC: topicName.optional(),
  KAFKA_GROUP_ID: text.default('denyscope-ingest'),
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
    .regex(IDENTIFIER, { message: 'expected a database name of letters, digits and _' })
    .default('denyscope'),
  CLICKHOUSE_USER: text.default('default'),
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
    .regex(IDENTIFIER, { message: 'expected a cluster name of letters, digits and _' })
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
  // docs/rules.md, "When rules run": ingest tells the detector each flush that landed. Read by
  // both, so shared.
  DETECT_ON_FLUSH: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RETENTION_DAYS: wholeUnits('days', 1, 3650).default(90),
  ENVIRONMENTS: list.default(['production', 'staging', 'sandbox', 'development']),
  ENV_MARKERS: z.string().optional(),
  // Live event time runs at most this far ahead of wall time (ARCHITECTURE "Event time, safely").
  // Ingest and the detector both enforce it, so shared.
  DETECT_FUTURE_TOLERANCE_MS: durationMs(0, 3_600_000).default(300_000),
  // Ingest's intake and `denyscope replay` (the detector's) refuse larger messages alike.
  INGEST_MAX_MESSAGE_BYTES: int(1_024, 16_777_216).default(262_144),
  // Secured connections and the Kafka client library: files of their own (sections/*.ts).
  ...connectionsEnv,
  ...kafkaClientEnv,
} satisfies Record<string, z.ZodType>;

export interface SharedConfig {
  kafka: {
    brokers: string[];
    clientId: string;
    topic: string;
    dlqTopic: string;
    groupId: string;
    fromBeginning: boolean;
    sessionTimeoutMs: number;
    /** Upper bound of one fetch response (all partitions): ingest's memory grows with it. */
    fetchMaxBytes: number;
    /** Per partition; should be at least the largest record batch producers write. */
    fetchMaxBytesPerPartition: number;
    /** TLS (KAFKA_SSL*); undefined: plaintext. */
    ssl: KafkaTls | undefined;
    /** SASL (KAFKA_SASL_*); undefined: no authentication. */
    sasl: KafkaSasl | undefined;
    /** Client library of ingest's consumer and dead-letter producer (KAFKA_CLIENT). */
    client: KafkaClientName;
  };
  clickhouse: {
    url: string;
    database: string;
    user: string;
    password: string;
    retentionDays: number;
    /** undefined: a single server (the default). Else the cluster the schema is created on. */
    cluster: { name: string; zookeeperPath: string } | undefined;
    /** max_execution_time (s) and max_memory_usage (bytes) of every read query (client.ts). */
    queryLimits: { timeoutS: number; maxMemoryBytes: number };
    /** PEM of a private CA for https:// URLs (CLICKHOUSE_CA_FILE); undefined: the system's. */
    caCert: string | undefined;
  };
  redis: {
    url: string;
    bullmqPrefix: string;
    /** PEM of a private CA for rediss:// URLs (REDIS_CA_FILE); undefined: the system's. */
    caCert: string | undefined;
  };
  /** Settings of the event-time pipeline that ingest and the detector both act on. */
  pipeline: {
    /**
     * DETECT_ON_FLUSH: ingest publishes a hint on Redis after every flush that landed, and the
     * detector evaluates then (still once cluster-wide) instead of waiting for the next tick.
     */
    onFlush: boolean;
    /**
     * Live only: an event stamped more than this beyond wall time is stored and counted but never
     * advances the watermark (ingest), and the watermark never passes wall time + this (detector).
     */
    futureToleranceMs: number;
  };
  logLevel: z.output<typeof sharedVariables.LOG_LEVEL>;
  events: {
    environments: string[];
    /** Undefined means the built-in marker table of @denyscope/events. */
    envMarkers: EnvMarkers | undefined;
    maxMessageBytes: number;
  };
}

export const sharedSection = defineSection({
  variables: sharedVariables,
  secrets: ['CLICKHOUSE_PASSWORD', ...CONNECTION_SECRETS],
  build: (parsed): SharedConfig => {
    let envMarkers: EnvMarkers | undefined;
    if (parsed.ENV_MARKERS !== undefined) {
      try {
        envMarkers = parseEnvMarkers(parsed.ENV_MARKERS);
      } catch (error) {
        throw new ConfigError([`ENV_MARKERS: ${(error as Error).message}`]);
      }
    }

    if (parsed.CLICKHOUSE_ZOOKEEPER_PATH !== undefined && parsed.CLICKHOUSE_CLUSTER === undefined) {
      throw new ConfigError([
        'CLICKHOUSE_ZOOKEEPER_PATH: only used with CLICKHOUSE_CLUSTER (set both, or neither for one server)',
      ]);
    }

    const connections = connectionsSection(parsed, {
      clickhouse: parsed.CLICKHOUSE_URL,
      redis: parsed.REDIS_URL,
    });

    return {
      kafka: {
        brokers: parsed.KAFKA_BROKERS,
        clientId: parsed.KAFKA_CLIENT_ID,
        topic: parsed.KAFKA_TOPIC,
        dlqTopic: parsed.KAFKA_DLQ_TOPIC ?? `${parsed.KAFKA_TOPIC}.dlq`,
        groupId: parsed.KAFKA_GROUP_ID,
        fromBeginning: parsed.KAFKA_FROM_BEGINNING,
        sessionTimeoutMs: parsed.KAFKA_SESSION_TIMEOUT_MS,
        fetchMaxBytes: parsed.KAFKA_FETCH_MAX_BYTES,
        fetchMaxBytesPerPartition: parsed.KAFKA_FETCH_MAX_BYTES_PER_PARTITION,
        ...connections.kafka,
        client: kafkaClientSection(parsed),
      },
      clickhouse: {
        url: parsed.CLICKHOUSE_URL,
        database: parsed.CLICKHOUSE_DATABASE,
        user: parsed.CLICKHOUSE_USER,
        password: parsed.CLICKHOUSE_PASSWORD,
        retentionDays: parsed.RETENTION_DAYS,
        cluster:
          parsed.CLICKHOUSE_CLUSTER === undefined
            ? undefined
            : {
                name: parsed.CLICKHOUSE_CLUSTER,
                zookeeperPath: parsed.CLICKHOUSE_ZOOKEEPER_PATH ?? '/clickhouse/tables',
              },
        queryLimits: {
          timeoutS: parsed.CLICKHOUSE_QUERY_TIMEOUT_S,
          maxMemoryBytes: parsed.CLICKHOUSE_QUERY_MAX_MEMORY_BYTES,
        },
        caCert: connections.clickhouseCaCert,
      },
      redis: {
        url: parsed.REDIS_URL,
        bullmqPrefix: parsed.BULLMQ_PREFIX,
        caCert: connections.redisCaCert,
      },
      pipeline: {
        onFlush: parsed.DETECT_ON_FLUSH,
        futureToleranceMs: parsed.DETECT_FUTURE_TOLERANCE_MS,
      },
      logLevel: parsed.LOG_LEVEL,
      events: {
        environments: parsed.ENVIRONMENTS,
        envMarkers,
        maxMessageBytes: parsed.INGEST_MAX_MESSAGE_BYTES,
      },
    };
  },
});

/** The names the shared settings take in a configuration object; no section may use them. */
export const SHARED_NAMES: ReadonlySet<string> = new Set<string>([
  'kafka',
  'clickhouse',
  'redis',
  'pipeline',
  'logLevel',
  'events',
] satisfies (keyof SharedConfig)[]);
