import { createClickHouseClient } from '@denyscope/clickhouse';
import { loadConfig } from '@denyscope/config';
import { startService, stackEnv } from '@denyscope/testkit';
import { describe, expect, inject, it } from 'vitest';

// A connection that can never work as configured stops the service at start-up with exit code 2
// and a line naming the service and the setting to fix (services/cli/src/preflight), rather than
// a retry loop that looks like an outage. Each case changes one setting of a working secured
// configuration; the plain local stack serves the "TLS to a plaintext port" cases.

const secureEnv = inject('secureEnv');
const plainRedisPort = new URL(stackEnv.REDIS_URL).port || '6379';
const withPassword = (url: string, password: string): string => {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
};

interface Case {
  name: string;
  /** The command whose first dependency is the one under test. */
  command: 'ingest' | 'migrate' | 'notify';
  env: Record<string, string>;
  /** What the error line must say: the service and the setting(s) to fix. */
  says: RegExp[];
}

const CASES: Case[] = [
  {
    name: 'Kafka: wrong SASL password',
    command: 'ingest',
    env: { KAFKA_SASL_PASSWORD: 'not-the-password' },
    says: [/^denyscope: Kafka: authentication failed for user "denyscope"/m, /KAFKA_SASL_PASSWORD/],
  },
  {
    name: 'Kafka: broker certificate from a CA we do not trust',
    command: 'ingest',
    env: { KAFKA_SSL_CA_FILE: secureEnv.SECURE_STACK_UNTRUSTED_CA_FILE! },
    says: [/^denyscope: Kafka: the server's certificate is not trusted/m, /KAFKA_SSL_CA_FILE/],
  },
  {
    name: 'Kafka: plaintext client to the TLS listener',
    command: 'ingest',
    env: { KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '' },
    says: [/^denyscope: Kafka: the server keeps closing the connection/m, /KAFKA_SSL/],
  },
  {
    name: 'Kafka: TLS client to a plaintext broker',
    command: 'ingest',
    env: {
      KAFKA_BROKERS: stackEnv.KAFKA_BROKERS,
      KAFKA_SASL_MECHANISM: '',
      KAFKA_SASL_USERNAME: '',
      KAFKA_SASL_PASSWORD: '',
    },
    says: [/^denyscope: Kafka: the server does not speak TLS/m, /KAFKA_SSL/],
  },
  {
    name: 'ClickHouse: wrong password',
    command: 'migrate',
    env: { CLICKHOUSE_PASSWORD: 'not-the-password' },
    says: [
      /^denyscope: ClickHouse: authentication failed for user "denyscope"/m,
      /CLICKHOUSE_PASSWORD/,
    ],
  },
  {
    name: 'ClickHouse: server certificate from a CA we do not trust',
    command: 'migrate',
    env: { CLICKHOUSE_CA_FILE: secureEnv.SECURE_STACK_UNTRUSTED_CA_FILE! },
    says: [
      /^denyscope: ClickHouse: the server's certificate is not trusted/m,
      /CLICKHOUSE_CA_FILE/,
    ],
  },
  {
    name: 'ClickHouse: http:// to the HTTPS port',
    command: 'migrate',
    env: {
      CLICKHOUSE_URL: secureEnv.CLICKHOUSE_URL!.replace(/^https:/, 'http:'),
      CLICKHOUSE_CA_FILE: '',
    },
    says: [/^denyscope: ClickHouse: the server keeps closing the connection/m, /CLICKHOUSE_URL/],
  },
  {
    name: 'ClickHouse: https:// to a plaintext port',
    command: 'migrate',
    env: { CLICKHOUSE_URL: stackEnv.CLICKHOUSE_URL.replace(/^http:/, 'https:') },
    says: [/^denyscope: ClickHouse: the server does not speak TLS/m, /CLICKHOUSE_URL/],
  },
  {
    name: 'Redis: wrong password',
    command: 'notify',
    env: { REDIS_URL: withPassword(secureEnv.REDIS_URL!, 'not-the-password') },
    says: [/^denyscope: Redis: authentication failed/m, /REDIS_URL/],
  },
  {
    name: 'Redis: server certificate from a CA we do not trust',
    command: 'notify',
    env: { REDIS_CA_FILE: secureEnv.SECURE_STACK_UNTRUSTED_CA_FILE! },
    says: [/^denyscope: Redis: the server's certificate is not trusted/m, /REDIS_CA_FILE/],
  },
  {
    name: 'Redis: redis:// to the TLS port',
    command: 'notify',
    env: { REDIS_URL: secureEnv.REDIS_URL!.replace(/^rediss:/, 'redis:'), REDIS_CA_FILE: '' },
    says: [/^denyscope: Redis: the server keeps closing the connection/m, /REDIS_URL/],
  },
  {
    name: 'Redis: rediss:// to a plaintext port',
    command: 'notify',
    env: { REDIS_URL: `rediss://127.0.0.1:${plainRedisPort}` },
    says: [/^denyscope: Redis: the server does not speak TLS/m, /REDIS_URL/],
  },
];

describe('a connection that can never work stops the service at start-up', () => {
  it.each(CASES)('$name', async ({ command, env, says }) => {
    const started = Date.now();
    const service = startService(command, { ...secureEnv, ...env });
    const timeout = setTimeout(() => void service.stop('SIGKILL'), 60_000);
    const { code } = await service.exited;
    clearTimeout(timeout);
    const output = service.output();
    expect(code, output.slice(-3_000)).toBe(2);
    for (const pattern of says) expect(output).toMatch(pattern);
    // Fast: a few connection attempts, not the services' retry schedules (minutes).
    expect(Date.now() - started).toBeLessThan(30_000);
    // The password under test never reaches the output.
    expect(output).not.toContain('not-the-password');
  });

  it('still starts when the settings are right', async () => {
    const database = `secure_setup_${process.pid}`;
    const service = startService('migrate', { ...secureEnv, CLICKHOUSE_DATABASE: database });
    const { code } = await service.exited;
    expect(code, service.output().slice(-3_000)).toBe(0);
    const client = createClickHouseClient(loadConfig(secureEnv).clickhouse, { database: null });
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
  });
});
