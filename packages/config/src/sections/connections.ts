import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

// Secured connections to Kafka, ClickHouse and Redis (README "Secured connections"). The options
// built here are plain data in the shape the clients take (kafkajs `ssl`/`sasl`, @clickhouse/client
// `tls`, ioredis `tls`), so this package stays free of client libraries. Certificate files are
// read once, at start-up: a missing or unreadable file is a ConfigError naming the variable, not a
// TLS failure minutes later.

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const filePath = z.string().min(1);

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export const connectionsEnv = {
  KAFKA_SSL: bool.default(false),
  KAFKA_SSL_CA_FILE: filePath.optional(),
  KAFKA_SSL_CERT_FILE: filePath.optional(),
  KAFKA_SSL_KEY_FILE: filePath.optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: bool.default(true),
  KAFKA_SASL_MECHANISM: z
    .enum(SASL_MECHANISMS, { message: `expected one of ${SASL_MECHANISMS.join(', ')}` })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  CLICKHOUSE_CA_FILE: filePath.optional(),
  REDIS_CA_FILE: filePath.optional(),
} satisfies Record<string, z.ZodType>;

/** Never echoed in a ConfigError. */
export const CONNECTION_SECRETS = ['KAFKA_SASL_PASSWORD'] as const;

type ConnectionsEnv = z.output<z.ZodObject<typeof connectionsEnv>>;

/** kafkajs's `ssl` option (a subset of tls.ConnectionOptions). */
export interface KafkaTls {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

/** kafkajs's `sasl` option. */
export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaSecurity {
  /** undefined: plaintext. */
  ssl: KafkaTls | undefined;
  /** undefined: no authentication. */
  sasl: KafkaSasl | undefined;
}

export interface ConnectionsConfig {
  kafka: KafkaSecurity;
  /** PEM of the CA that signed the ClickHouse server's certificate (https:// URLs only). */
  clickhouseCaCert: string | undefined;
  /** PEM of the CA that signed the Redis server's certificate (rediss:// URLs only). */
  redisCaCert: string | undefined;
}

/** Reads a PEM file named by `variable`; a ConfigError says which variable and why. */
function readPem(variable: string, path: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([`${variable}: cannot read ${JSON.stringify(path)} (${code})`]);
  }
  // "BEGIN CERTIFICATE", "BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY", "BEGIN EC PRIVATE KEY"…
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    throw new ConfigError([
      `${variable}: ${JSON.stringify(path)} is not a PEM file with a ${kind.toLowerCase()}`,
    ]);
  }
  return text;
}

function kafkaSecurity(parsed: ConnectionsEnv): KafkaSecurity {
  const problems: string[] = [];
  const tlsFiles = {
    KAFKA_SSL_CA_FILE: parsed.KAFKA_SSL_CA_FILE,
    KAFKA_SSL_CERT_FILE: parsed.KAFKA_SSL_CERT_FILE,
    KAFKA_SSL_KEY_FILE: parsed.KAFKA_SSL_KEY_FILE,
  };
  if (!parsed.KAFKA_SSL) {
    for (const [name, value] of Object.entries(tlsFiles)) {
      if (value !== undefined) problems.push(`${name}: only used with KAFKA_SSL=true`);
    }
  }
  if ((parsed.KAFKA_SSL_CERT_FILE === undefined) !== (parsed.KAFKA_SSL_KEY_FILE === undefined)) {
    problems.push(
      'KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: a client certificate needs its key (set both, or neither)',
    );
  }
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username } = parsed;
  const password = parsed.KAFKA_SASL_PASSWORD;
  if (mechanism === undefined && (username !== undefined || password !== undefined)) {
    problems.push(
      `KAFKA_SASL_MECHANISM: required with KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD (one of ${SASL_MECHANISMS.join(', ')})`,
    );
  }
  if (mechanism !== undefined && (username === undefined || password === undefined)) {
    problems.push(
      `KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: both required with KAFKA_SASL_MECHANISM=${mechanism}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const ssl: KafkaTls | undefined = parsed.KAFKA_SSL
    ? {
        rejectUnauthorized: parsed.KAFKA_SSL_REJECT_UNAUTHORIZED,
        ...(parsed.KAFKA_SSL_CA_FILE === undefined
          ? {}
          : { ca: [readPem('KAFKA_SSL_CA_FILE', parsed.KAFKA_SSL_CA_FILE, 'CERTIFICATE')] }),
        ...(parsed.KAFKA_SSL_CERT_FILE === undefined || parsed.KAFKA_SSL_KEY_FILE === undefined
          ? {}
          : {
              cert: readPem('KAFKA_SSL_CERT_FILE', parsed.KAFKA_SSL_CERT_FILE, 'CERTIFICATE'),
              key: readPem('KAFKA_SSL_KEY_FILE', parsed.KAFKA_SSL_KEY_FILE, 'PRIVATE KEY'),
            }),
      }
    : undefined;
  const sasl =
    mechanism === undefined || username === undefined || password === undefined
      ? undefined
      : { mechanism, username, password };
  return { ssl, sasl };
}

/**
 * `urls`: the already validated CLICKHOUSE_URL and REDIS_URL, to refuse a CA file that would be
 * silently ignored on a plaintext URL.
 */
export function connectionsSection(
  parsed: ConnectionsEnv,
  urls: { clickhouse: string; redis: string },
): ConnectionsConfig {
  const problems: string[] = [];
  if (parsed.CLICKHOUSE_CA_FILE !== undefined && !urls.clickhouse.startsWith('https:')) {
    problems.push('CLICKHOUSE_CA_FILE: only used with an https:// CLICKHOUSE_URL');
  }
  if (parsed.REDIS_CA_FILE !== undefined && !urls.redis.startsWith('rediss:')) {
    problems.push('REDIS_CA_FILE: only used with a rediss:// REDIS_URL');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    kafka: kafkaSecurity(parsed),
    clickhouseCaCert:
      parsed.CLICKHOUSE_CA_FILE === undefined
        ? undefined
        : readPem('CLICKHOUSE_CA_FILE', parsed.CLICKHOUSE_CA_FILE, 'CERTIFICATE'),
    redisCaCert:
      parsed.REDIS_CA_FILE === undefined
        ? undefined
        : readPem('REDIS_CA_FILE', parsed.REDIS_CA_FILE, 'CERTIFICATE'),
  };
}
