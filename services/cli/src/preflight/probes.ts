import { clickHouseErrorCode, createClickHouseClient } from '@denyscope/clickhouse';
import { redisConnectionOptions, type SharedConfig } from '@denyscope/config';
import { kafkajsSecurity } from '@denyscope/kafka';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { ConnectionSetupError, transportProblem, type TransportProblem } from './setup-error.js';
import { tlsHandshake } from './tls-handshake.js';

/** How to check one dependency at start-up, and how to read its failures. */
export interface DependencyProbe {
  service: ConnectionSetupError['service'];
  /** The settings to check when the server keeps hanging up during set-up. */
  setupSettings: string;
  /** One connection attempt: resolves when the service answered an authenticated request. */
  probe(): Promise<void>;
  /** A setup that can never work, a transport problem to look at again, or undefined (down). */
  classify(error: unknown): ConnectionSetupError | TransportProblem;
}

const PROBE_TIMEOUT_MS = 5_000;

function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = error; current instanceof Error && chain.length < 6;) {
    chain.push(current);
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.cause ?? next.originalError;
  }
  return chain;
}

type TlsProblem = Exclude<NonNullable<TransportProblem>, { kind: 'closed-by-server' }>;

/** The ConnectionSetupError for a TLS problem, phrased for `service`'s settings. */
function tlsError(
  service: ConnectionSetupError['service'],
  problem: TlsProblem,
  settings: { tls: string; ca: string },
): ConnectionSetupError {
  return problem.kind === 'untrusted-certificate'
    ? new ConnectionSetupError(
        service,
        `the server's certificate is not trusted (${problem.code})`,
        [settings.ca],
      )
    : new ConnectionSetupError(service, 'the server does not speak TLS on this port', [
        settings.tls,
      ]);
}

export function kafkaProbe(kafka: SharedConfig['kafka']): DependencyProbe {
  const client = new Kafka({
    clientId: `${kafka.clientId}-preflight`,
    brokers: kafka.brokers,
    ...kafkajsSecurity(kafka),
    connectionTimeout: PROBE_TIMEOUT_MS,
    requestTimeout: PROBE_TIMEOUT_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const settings = { tls: 'KAFKA_SSL', ca: 'KAFKA_SSL_CA_FILE' };
  return {
    service: 'Kafka',
    setupSettings: 'KAFKA_SSL, KAFKA_SASL_MECHANISM',
    async probe() {
      const admin = client.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        await admin.describeCluster();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    classify(error) {
      if (causes(error).some((e) => e.name === 'KafkaJSSASLAuthenticationError')) {
        return new ConnectionSetupError(
          'Kafka',
          `authentication failed for user ${JSON.stringify(kafka.sasl?.username)} (${kafka.sasl?.mechanism})`,
          ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_MECHANISM'],
        );
      }
      const problem = transportProblem(error);
      if (problem === undefined || problem.kind === 'closed-by-server') return problem;
      return tlsError('Kafka', problem, settings);
    },
  };
}

/** Codes of a user or password the server refuses (18.16 and current servers). */
const CLICKHOUSE_AUTH_CODES = new Set(['192', '193', '194', '516']);

export function clickHouseProbe(clickhouse: SharedConfig['clickhouse']): DependencyProbe {
  const settings = { tls: 'CLICKHOUSE_URL (http:// or https://)', ca: 'CLICKHOUSE_CA_FILE' };
  return {
    service: 'ClickHouse',
    setupSettings: settings.tls,
    async probe() {
      // Not ping(): /ping answers without credentials. A query proves the user and password.
      const client = createClickHouseClient(clickhouse, {
        database: null,
        requestTimeoutMs: PROBE_TIMEOUT_MS,
        queryLimits: null,
      });
      try {
        await client.command({ query: 'SELECT 1' });
      } finally {
        await client.close();
      }
    },
    classify(error: unknown): ConnectionSetupError | TransportProblem {
      const code = clickHouseErrorCode(error);
      if (code !== undefined && CLICKHOUSE_AUTH_CODES.has(code)) {
        return new ConnectionSetupError(
          'ClickHouse',
          `authentication failed for user ${JSON.stringify(clickhouse.user)} (code ${code})`,
          ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD'],
        );
      }
      const problem = transportProblem(error);
      if (problem === undefined || problem.kind === 'closed-by-server') return problem;
      return tlsError('ClickHouse', problem, settings);
    },
  };
}

export function redisProbe(redis: SharedConfig['redis']): DependencyProbe {
  const settings = { tls: 'REDIS_URL (redis:// or rediss://)', ca: 'REDIS_CA_FILE' };
  return {
    service: 'Redis',
    setupSettings: settings.tls,
    async probe() {
      const options = redisConnectionOptions(redis);
      const client = new Redis({
        ...options,
        lazyConnect: true,
        connectTimeout: PROBE_TIMEOUT_MS,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      // ioredis rejects connect() with a bare "Connection is closed." and reports the cause (a
      // TLS failure, WRONGPASS from its AUTH) as an 'error' event: keep the first such cause.
      let cause: unknown;
      client.on('error', (error: unknown) => (cause ??= error));
      try {
        await client.connect();
        await client.ping();
      } catch (error) {
        const reason = cause ?? error;
        // A TLS client to a plaintext Redis only times out (Redis waits for the rest of what it
        // takes for a command): look underneath before calling the server merely unreachable.
        if (options.tls !== undefined && (reason as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
          const outcome = await tlsHandshake(options.host, options.port, PROBE_TIMEOUT_MS);
          if (outcome === 'no-tls-answer' || outcome === 'tls-error') {
            throw new ConnectionSetupError('Redis', 'the server does not speak TLS on this port', [
              settings.tls,
            ]);
          }
        }
        throw reason;
      } finally {
        client.disconnect();
      }
    },
    classify(error: unknown): ConnectionSetupError | TransportProblem {
      const message = error instanceof Error ? error.message : String(error);
      if (/^(WRONGPASS|NOAUTH|NOPERM)|invalid (username-)?password/i.test(message)) {
        return new ConnectionSetupError(
          'Redis',
          `authentication failed (${message.split('\n')[0]?.slice(0, 120)})`,
          ['the user and password in REDIS_URL'],
        );
      }
      const problem = transportProblem(error);
      if (problem === undefined || problem.kind === 'closed-by-server') return problem;
      return tlsError('Redis', problem, settings);
    },
  };
}
