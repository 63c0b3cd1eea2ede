import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClientConfigOptions,
} from '@clickhouse/client';
import { Redis, type RedisOptions } from 'ioredis';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureStackDown, secureStackIsUp, secureStackUp } from '../src/secure-stack.js';
import { testNames } from '../src/random-names.js';

// infra/stack/secure.sh: each service answers over TLS with the credentials it prints, and
// refuses a wrong password, a certificate from the untrusted CA and a plaintext client. What the
// services themselves do with these settings is tested elsewhere (the lead's test:secure).

let env: Record<string, string>;
let startedHere = false;
const pem = (variable: string): Buffer => readFileSync(env[variable]!);

beforeAll(async () => {
  // Others' tests may use the secured stack at the same time: stop it only if this file started it.
  startedHere = !(await secureStackIsUp());
  env = await secureStackUp();
}, 600_000);

afterAll(async () => {
  if (startedHere) await secureStackDown();
}, 120_000);

/** The error a failing call ends with (message and name), or 'ok'. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    const { name, message } = error as Error;
    return `${name}: ${message}`;
  }
}

describe('secure.sh', () => {
  it('keeps the passwords private to the user and the same across up', async () => {
    expect(statSync(join(env.SECURE_STACK_DIR!, 'secrets.env')).mode & 0o777).toBe(0o600);
    expect(statSync(env.SECURE_STACK_CLIENT_KEY_FILE!).mode & 0o777).toBe(0o600);
    // A second up reuses everything: same passwords, same certificates.
    expect(await secureStackUp()).toEqual(env);
  });
});

describe('Kafka over SASL_SSL', () => {
  /** `sasl: null`: no SASL (the mTLS listener, a plaintext client). */
  type Overrides = Omit<Partial<KafkaConfig>, 'sasl'> & { sasl?: KafkaConfig['sasl'] | null };
  const kafka = ({ sasl, ...overrides }: Overrides = {}): Kafka => {
    const config: KafkaConfig = {
      clientId: 'secure-stack-test',
      brokers: [env.KAFKA_BROKERS!],
      ssl: { ca: [pem('KAFKA_SSL_CA_FILE')] },
      logLevel: logLevel.NOTHING,
      connectionTimeout: 5_000,
      retry: { retries: 0 },
      ...overrides,
    };
    if (sasl === null) return new Kafka(config);
    return new Kafka({
      ...config,
      sasl: sasl ?? {
        mechanism: 'scram-sha-512',
        username: env.KAFKA_SASL_USERNAME!,
        password: env.KAFKA_SASL_PASSWORD!,
      },
    });
  };

  /** 'ok' when an admin client connects (it disconnects again), else the error. */
  const connect = (client: Kafka): Promise<string> =>
    outcome(async () => {
      const admin = client.admin();
      await admin.connect();
      await admin.disconnect();
    });

  /** Retries what a fresh broker answers while it creates a topic or the offsets topic. */
  const patient = { retry: { retries: 8, initialRetryTime: 200 } };

  /** Creates a topic (or lets auto-creation make it), produces a record and consumes it. */
  async function roundTrip(client: Kafka, creation: 'admin' | 'auto'): Promise<string[]> {
    const topic = testNames('secure-stack').topic;
    if (creation === 'admin') {
      const admin = client.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
      await admin.disconnect();
    }
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'over tls' }], acks: -1 });
    await producer.disconnect();
    const consumer = client.consumer({ groupId: `${topic}-reader` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      return await new Promise<string[]>((resolve) => {
        void consumer.run({
          eachMessage: ({ message }) => {
            resolve([String(message.value)]);
            return Promise.resolve();
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
  }

  it('produces and consumes as the SCRAM-SHA-512 user the script printed', async () => {
    expect(env.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    expect(await roundTrip(kafka(patient), 'admin')).toEqual(['over tls']);
  });

  it('accepts SCRAM-SHA-256 and PLAIN for the same user', async () => {
    const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = env;
    for (const sasl of [
      { mechanism: 'scram-sha-256', username: username!, password: password! },
      { mechanism: 'plain', username: username!, password: password! },
    ] as const) {
      expect(await connect(kafka({ sasl }))).toBe('ok');
    }
  });

  it('refuses a wrong password, an untrusted CA, an untrusted client certificate and plaintext', async () => {
    const password = `${env.KAFKA_SASL_PASSWORD!}x`;
    const wrong = kafka({ sasl: { mechanism: 'scram-sha-512', username: 'denyscope', password } });
    expect(await connect(wrong)).toMatch(/invalid credentials/);

    const untrusted = kafka({ ssl: { ca: [pem('SECURE_STACK_UNTRUSTED_CA_FILE')] } });
    expect(await connect(untrusted)).toMatch(/unable to verify/);

    const foreignCert = kafka({
      ssl: {
        ca: [pem('KAFKA_SSL_CA_FILE')],
        cert: pem('SECURE_STACK_UNTRUSTED_CLIENT_CERT_FILE'),
        key: pem('SECURE_STACK_UNTRUSTED_CLIENT_KEY_FILE'),
      },
    });
    expect(await connect(foreignCert)).toMatch(/certificate unknown/);

    const plaintext = kafka({ ssl: false, sasl: null, requestTimeout: 5_000 });
    expect(await connect(plaintext)).not.toBe('ok');
  });

  it('runs the mTLS listener for clients with a certificate the CA signed, and only those', async () => {
    const mtls = (cert: Partial<{ cert: Buffer; key: Buffer }>, more = {}): Kafka =>
      kafka({
        brokers: [env.SECURE_STACK_KAFKA_MTLS_BROKERS!],
        ssl: { ca: [pem('KAFKA_SSL_CA_FILE')], ...cert },
        sasl: null,
        ...more,
      });
    const withCert = mtls(
      { cert: pem('SECURE_STACK_CLIENT_CERT_FILE'), key: pem('SECURE_STACK_CLIENT_KEY_FILE') },
      patient,
    );
    // Also shows that topics are created on first use, as on the plain stack.
    expect(await roundTrip(withCert, 'auto')).toEqual(['over tls']);
    expect(await connect(mtls({}))).toMatch(/bad certificate/);
  });
});

describe('ClickHouse over HTTPS', () => {
  const clickhouse = (overrides: ClickHouseClientConfigOptions = {}) =>
    createClient({
      url: env.CLICKHOUSE_URL!,
      username: env.CLICKHOUSE_USER!,
      password: env.CLICKHOUSE_PASSWORD!,
      tls: { ca_cert: pem('CLICKHOUSE_CA_FILE') },
      log: { level: ClickHouseLogLevel.OFF },
      ...overrides,
    });

  async function selectOne(overrides: ClickHouseClientConfigOptions = {}): Promise<string> {
    const client = clickhouse(overrides);
    try {
      return await outcome(async () => {
        const result = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
        expect(await result.json()).toEqual([{ one: 1 }]);
      });
    } finally {
      await client.close();
    }
  }

  it('answers the denyscope user with the printed password, checked against the stack CA', async () => {
    expect(env.CLICKHOUSE_URL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await selectOne()).toBe('ok');
  });

  it('refuses a wrong password, the default user, an untrusted CA and plain HTTP', async () => {
    expect(await selectOne({ password: 'wrong' })).toMatch(/Wrong password for user denyscope/);
    expect(await selectOne({ username: 'default', password: '' })).toMatch(/Password required/);
    const untrusted = { tls: { ca_cert: pem('SECURE_STACK_UNTRUSTED_CA_FILE') } };
    expect(await selectOne(untrusted)).toMatch(/certificate/);
    const plain = { url: env.CLICKHOUSE_URL!.replace('https:', 'http:') };
    expect(await selectOne(plain)).not.toBe('ok');
  });
});

describe('Redis over TLS', () => {
  /** Connects, PINGs, disconnects; reports the first error (ioredis emits AUTH errors as events). */
  async function ping(url: string, options: RedisOptions = {}): Promise<string> {
    const redis = new Redis(url, {
      tls: { ca: pem('REDIS_CA_FILE') },
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...options,
    });
    const errors: string[] = [];
    redis.on('error', (error: Error) => errors.push(error.message));
    try {
      await redis.connect();
      return `${await redis.ping()} as ${String(await redis.call('ACL', 'WHOAMI'))}`;
    } catch (error) {
      return [...errors, (error as Error).message].join(' | ');
    } finally {
      redis.disconnect();
    }
  }

  it('answers the ACL user of REDIS_URL over rediss://', async () => {
    expect(env.REDIS_URL).toMatch(/^rediss:\/\/denyscope:[0-9a-f]{32}@127\.0\.0\.1:\d+$/);
    expect(await ping(env.REDIS_URL!)).toBe('PONG as denyscope');
  });

  it('refuses a wrong password (WRONGPASS), an untrusted CA and a plaintext client', async () => {
    const url = new URL(env.REDIS_URL!);
    url.password = 'wrong';
    expect(await ping(url.href)).toMatch(/WRONGPASS/);
    const untrusted = { tls: { ca: pem('SECURE_STACK_UNTRUSTED_CA_FILE') } };
    expect(await ping(env.REDIS_URL!, untrusted)).toMatch(/certificate/);
    const plain = env.REDIS_URL!.replace('rediss:', 'redis:');
    expect(await ping(plain, { tls: undefined, connectTimeout: 3_000 })).not.toMatch(/^PONG/);
  });
});
