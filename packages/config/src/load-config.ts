import { PAGING_RULE_IDS, RULE_IDS, type RuleId, type Severity } from '@denyscope/alerts';
import { parseEnvMarkers, type EnvMarkers } from '@denyscope/events';
import { ConfigError } from './errors.js';
import { redactUrlPassword } from './redact-url.js';
import { envSchema, SECRET_VARIABLES, type ParsedEnv } from './env-schema.js';
import { apiSection, type ApiConfig } from './sections/api.js';
import { connectionsSection, type KafkaSasl, type KafkaTls } from './sections/connections.js';
import { kafkaClientSection, type KafkaClientName } from './sections/kafka-client.js';
import { reporterSection, type ReporterConfig } from './sections/reporter.js';
import { simulatorSection, type SimulatorConfig } from './sections/simulator.js';

/** Which alerts one notifier sink receives. */
export interface NotifierRoute {
  /** Alerts below this severity are not sent to the sink. */
  minSeverity: Severity;
  /** Only alerts of these rules are sent (default: every rule). */
  rules: RuleId[];
}

export interface Config {
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
  detector: {
    /** The fixed tick: evaluations at least this often, with or without ingest's flush hints. */
    intervalMs: number;
    /**
     * DETECT_ON_FLUSH: ingest publishes a hint on Redis after every flush that landed, and the
     * detector evaluates then (still once cluster-wide) instead of waiting for the next tick.
     */
    onFlush: boolean;
    /** The watermark trails the newest ingested event time by this much (late events). */
    allowedLatenessMs: number;
    /**
     * The watermark waits for partitions still working through a backlog, but never falls more
     * than this much event time behind the newest partition (0: never waits).
     */
    partitionWaitMs: number;
    /** An incident with no new evidence for this long is resolved. */
    resolveAfterMs: number;
    /**
     * After a gap in evaluation (detector down, Redis down, a slow tick), the windows that closed
     * meanwhile are evaluated in steps of `stepMs` of event time, over at most the last `maxMs`
     * (0: never), at most `maxStepsPerTick` evaluations per tick.
     */
    catchUp: { stepMs: number; maxMs: number; maxStepsPerTick: number };
    /**
     * Live only: an event stamped more than this beyond wall time is stored and counted but never
     * advances the watermark (ingest), and the watermark never passes wall time + this (detector).
     */
    futureToleranceMs: number;
    /** A rule failing this many ticks in a row raises a pipeline-health alert. */
    ruleFailureAlertAfter: number;
    /**
     * A rule has at most this many incidents of its own firing (and opens at most this many per
     * evaluation); further subjects join the rule's one digest incident (incident-manager.ts).
     */
    maxNewIncidentsPerRule: number;
    /** A resolved incident's state is kept in Redis this long (wall time), then expires. */
    resolvedTtlMs: number;
    /** Optional YAML or JSON file of per-rule settings (validated by the detector). */
    rulesFile: string | undefined;
  };
  logLevel: ParsedEnv['LOG_LEVEL'];
  events: {
    environments: string[];
    /** Undefined means the built-in marker table of @denyscope/events. */
    envMarkers: EnvMarkers | undefined;
    maxMessageBytes: number;
  };
  ingest: {
    batchMaxRows: number;
    flushIntervalMs: number;
    maxBufferBytes: number;
    retryMaxMs: number;
    /**
     * Distinct resource IDs a key may read per minute that one flushed batch records in
     * key_resources (writes and deletes are never capped).
     */
    keyReadsPerMinute: number;
  };
  reporter: ReporterConfig;
  api: ApiConfig;
  simulator: SimulatorConfig;
  notifier: {
    /** Jobs each sink worker (and the dispatcher) runs at once. */
    concurrency: number;
    /** Delivery attempts per sink before the job fails. */
    attempts: number;
    /** First retry delay; doubles on each attempt. */
    backoffMs: number;
    httpTimeoutMs: number;
    /** Where `docs/runbooks/…` paths resolve for links in Slack and PagerDuty (optional). */
    runbookBaseUrl: string | undefined;
    /** One entry per sink; undefined means the sink is not configured and stays off. */
    sinks: {
      slack: (NotifierRoute & { webhookUrl: string }) | undefined;
      pagerduty: (NotifierRoute & { routingKey: string; eventsUrl: string }) | undefined;
      webhook: (NotifierRoute & { url: string; secret: string }) | undefined;
      log: NotifierRoute | undefined;
    };
  };
}

type Env = Record<string, string | undefined>;

/**
 * Parses the process environment once, at start-up. Empty strings count as unset so that
 * `FOO= cmd` and an empty line in an env file fall back to the default instead of failing.
 * Throws ConfigError naming every bad variable and what was expected.
 */
export function loadConfig(env: Env = process.env): Config {
  const present: Env = {};
  for (const name of Object.keys(envSchema.shape)) {
    const value = env[name];
    if (value !== undefined && value !== '') present[name] = value;
  }
  const result = envSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        // Secret-bearing values are named but never echoed: this message goes to the logs. Of the
        // others, a URL's password (REDIS_URL, CLICKHOUSE_URL) is masked.
        const raw = SECRET_VARIABLES.has(name) ? undefined : env[name];
        const got = raw === undefined ? undefined : redactUrlPassword(raw);
        return `${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
      }),
    );
  }
  const parsed = result.data;

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

  if (parsed.WEBHOOK_URL !== undefined && parsed.WEBHOOK_SECRET === undefined) {
    throw new ConfigError([
      'WEBHOOK_SECRET: required when WEBHOOK_URL is set (deliveries are signed with it)',
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
    detector: {
      intervalMs: parsed.DETECT_INTERVAL_MS,
      onFlush: parsed.DETECT_ON_FLUSH,
      allowedLatenessMs: parsed.DETECT_ALLOWED_LATENESS_MS,
      partitionWaitMs: parsed.DETECT_PARTITION_WAIT_MS,
      resolveAfterMs: parsed.DETECT_RESOLVE_AFTER_MS,
      catchUp: {
        stepMs: parsed.DETECT_CATCHUP_STEP_MS,
        maxMs: parsed.DETECT_CATCHUP_MAX_MS,
        maxStepsPerTick: parsed.DETECT_CATCHUP_STEPS_PER_TICK,
      },
      futureToleranceMs: parsed.DETECT_FUTURE_TOLERANCE_MS,
      ruleFailureAlertAfter: parsed.DETECT_RULE_FAILURE_ALERT_AFTER,
      maxNewIncidentsPerRule: parsed.DETECT_MAX_NEW_INCIDENTS_PER_RULE,
      resolvedTtlMs: parsed.DETECT_RESOLVED_TTL_MS,
      rulesFile: parsed.RULES_FILE,
    },
    logLevel: parsed.LOG_LEVEL,
    events: {
      environments: parsed.ENVIRONMENTS,
      envMarkers,
      maxMessageBytes: parsed.INGEST_MAX_MESSAGE_BYTES,
    },
    ingest: {
      batchMaxRows: parsed.INGEST_BATCH_MAX_ROWS,
      flushIntervalMs: parsed.INGEST_FLUSH_INTERVAL_MS,
      maxBufferBytes: parsed.INGEST_MAX_BUFFER_BYTES,
      retryMaxMs: parsed.INGEST_RETRY_MAX_MS,
      keyReadsPerMinute: parsed.INGEST_KEY_READS_PER_MINUTE,
    },
    notifier: notifierSection(parsed),
    reporter: reporterSection(parsed),
    api: apiSection(parsed),
    simulator: simulatorSection(parsed),
  };
}

function notifierSection(parsed: ParsedEnv): Config['notifier'] {
  const route = (
    minSeverity: Severity,
    rules: RuleId[] | undefined,
    defaults: readonly RuleId[] = RULE_IDS,
  ): NotifierRoute => ({ minSeverity, rules: rules ?? [...defaults] });
  const slackUrl = parsed.SLACK_WEBHOOK_URL;
  const routingKey = parsed.PAGERDUTY_ROUTING_KEY;
  const webhookUrl = parsed.WEBHOOK_URL;
  const webhookSecret = parsed.WEBHOOK_SECRET;
  return {
    concurrency: parsed.NOTIFY_CONCURRENCY,
    attempts: parsed.NOTIFY_ATTEMPTS,
    backoffMs: parsed.NOTIFY_BACKOFF_MS,
    httpTimeoutMs: parsed.NOTIFY_HTTP_TIMEOUT_MS,
    runbookBaseUrl: parsed.NOTIFY_RUNBOOK_BASE_URL,
    sinks: {
      slack:
        slackUrl === undefined
          ? undefined
          : {
              webhookUrl: slackUrl,
              ...route(parsed.NOTIFY_SLACK_MIN_SEVERITY, parsed.NOTIFY_SLACK_RULES),
            },
      pagerduty:
        routingKey === undefined
          ? undefined
          : {
              routingKey,
              eventsUrl: parsed.PAGERDUTY_EVENTS_URL,
              ...route(
                parsed.NOTIFY_PAGERDUTY_MIN_SEVERITY,
                parsed.NOTIFY_PAGERDUTY_RULES,
                // pipeline-health is operational: it pages only when listed explicitly.
                PAGING_RULE_IDS,
              ),
            },
      webhook:
        webhookUrl === undefined || webhookSecret === undefined
          ? undefined
          : {
              url: webhookUrl,
              secret: webhookSecret,
              ...route(parsed.NOTIFY_WEBHOOK_MIN_SEVERITY, parsed.NOTIFY_WEBHOOK_RULES),
            },
      log: parsed.NOTIFY_LOG_ENABLED
        ? route(parsed.NOTIFY_LOG_MIN_SEVERITY, parsed.NOTIFY_LOG_RULES)
        : undefined,
    },
  };
}

/** Every problem of a configuration, without starting anything: [] when it is valid. */
export function configProblems(env: Env): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
