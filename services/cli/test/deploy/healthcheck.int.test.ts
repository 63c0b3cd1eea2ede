import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { secureStackDown, secureStackUp, stackEnv } from '@denyscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './compose-file.js';

// infra/docker/healthcheck.mjs, the containers' health check, run as Docker runs it (a child
// process, judged by exit code and its one line of output) against the real local stack and the
// secured one (infra/stack/secure.sh: Kafka SASL_SSL, ClickHouse HTTPS + password, Redis TLS + ACL).

const SCRIPT = `${REPO}infra/docker/healthcheck.mjs`;
const SECURE_STACK = `${REPO}infra/stack/secure.sh`;
const run = promisify(execFile);

/** Only what the check reads: none of this process's own KAFKA_*, REDIS_*, … settings. */
async function healthcheck(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [SCRIPT, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    });
    return { code: 0, output: stdout.trim() };
  } catch (error) {
    const { code, stdout } = error as { code: number; stdout: string };
    return { code, output: stdout.trim() };
  }
}

describe('healthcheck.mjs on the local stack', () => {
  it('passes each worker kind when what it needs answers', async () => {
    for (const kind of ['ingest', 'detect', 'notify', 'reporter']) {
      const result = await healthcheck({ ...stackEnv }, kind);
      expect(result.code, kind).toBe(0);
      expect(result.output, kind).toMatch(new RegExp(`^healthy ${kind}: `));
    }
    const clickhouse = new URL(stackEnv.CLICKHOUSE_URL).host;
    expect((await healthcheck({ ...stackEnv }, 'ingest')).output).toBe(
      `healthy ingest: kafka ${stackEnv.KAFKA_BROKERS} answers, clickhouse ${clickhouse} answers as default`,
    );
  });

  it('fails a kind whose dependency is away, naming it, and tries every broker', async () => {
    const redisAway = await healthcheck(
      { ...stackEnv, REDIS_URL: 'redis://127.0.0.1:1' },
      'detect',
    );
    expect(redisAway.code).toBe(1);
    expect(redisAway.output).toMatch(/^unhealthy detect: redis 127\.0\.0\.1:1: .*ECONNREFUSED/);
    // Kafka: one broker that answers is enough.
    const brokers = `127.0.0.1:1,${stackEnv.KAFKA_BROKERS}`;
    expect((await healthcheck({ ...stackEnv, KAFKA_BROKERS: brokers }, 'ingest')).code).toBe(0);
    // Something that is not Kafka does not pass for it (Redis closes on the Kafka request).
    const notKafka = await healthcheck({ ...stackEnv, KAFKA_BROKERS: '127.0.0.1:6379' }, 'ingest');
    expect(notKafka.code).toBe(1);
  });

  it('checks ClickHouse credentials and never prints the password', async () => {
    const password = 'not-the-password-4f2a';
    const result = await healthcheck({ ...stackEnv, CLICKHOUSE_PASSWORD: password }, 'reporter');
    expect(result.code).toBe(1);
    const clickhouse = new URL(stackEnv.CLICKHOUSE_URL).host;
    expect(result.output).toContain(`clickhouse ${clickhouse}: HTTP 40`);
    expect(result.output).not.toContain(password);
  });

  it('reads the service from the command line of the process it watches', async () => {
    // A process with the image's PID 1 command line: tini -- node …/denyscope.js notify.
    const watched: ChildProcess = spawn(process.execPath, [
      '-e',
      'setTimeout(() => {}, 60000)',
      '/app/services/cli/bin/denyscope.js',
      'notify',
    ]);
    try {
      const env = { ...stackEnv, DENYSCOPE_HEALTH_PID: String(watched.pid) };
      expect(await healthcheck(env)).toEqual({
        code: 0,
        output: `healthy notify: redis ${new URL(stackEnv.REDIS_URL).host} answers`,
      });
      const away = await healthcheck({ ...env, REDIS_URL: 'redis://127.0.0.1:1' });
      expect(away.code).toBe(1);
      // This test process runs no denyscope command: nothing to check.
      const self = await healthcheck({ DENYSCOPE_HEALTH_PID: String(process.pid) });
      expect(self).toEqual({ code: 0, output: 'healthy: nothing to check for this process' });
    } finally {
      watched.kill();
    }
  });
});

describe('healthcheck.mjs for the api', () => {
  let server: Server;
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks /healthz on API_PORT, through loopback when the API listens on every address', async () => {
    const env = { API_HOST: '0.0.0.0', API_PORT: String((server.address() as AddressInfo).port) };
    expect((await healthcheck(env, 'api')).code).toBe(0);
    status = 503;
    const down = await healthcheck(env, 'api');
    expect(down.code).toBe(1);
    expect(down.output).toMatch(/\/healthz answered 503$/);
  });
});

describe('healthcheck.mjs on the secured stack', () => {
  let secure: Record<string, string>;
  let startedHere = false;

  beforeAll(async () => {
    // Leave a secured stack someone else started running; stop only one started here.
    startedHere = await run('bash', [SECURE_STACK, 'status']).then(
      () => false,
      () => true,
    );
    secure = await secureStackUp();
  }, 600_000);
  afterAll(async () => {
    if (startedHere) await secureStackDown();
  }, 120_000);

  /** What a container of the service gets: the secured endpoints, credentials and CA files. */
  const serviceEnv = () => {
    const names = Object.keys(secure).filter((name) => /^(KAFKA|CLICKHOUSE|REDIS)_/.test(name));
    return Object.fromEntries(names.map((name) => [name, secure[name]!]));
  };

  it('passes every worker kind over TLS with the credentials', async () => {
    for (const kind of ['ingest', 'detect', 'notify', 'reporter']) {
      const result = await healthcheck(serviceEnv(), kind);
      expect(result, kind).toMatchObject({ code: 0 });
    }
    const ingest = await healthcheck(serviceEnv(), 'ingest');
    expect(ingest.output).toMatch(/kafka \S+ \(tls\) answers/);
  });

  it('fails on a certificate from a CA it was not told to trust', async () => {
    const untrusted = secure.SECURE_STACK_UNTRUSTED_CA_FILE!;
    const env = {
      ...serviceEnv(),
      KAFKA_SSL_CA_FILE: untrusted,
      CLICKHOUSE_CA_FILE: untrusted,
      REDIS_CA_FILE: untrusted,
    };
    const result = await healthcheck(env, 'reporter');
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/clickhouse .*certificate/i);
    expect(result.output).toMatch(/redis .*certificate/i);
    expect((await healthcheck(env, 'ingest')).output).toMatch(/kafka .*certificate/i);
  });

  it('fails on a wrong Redis password without printing it', async () => {
    const url = new URL(secure.REDIS_URL!);
    url.password = 'wrong-redis-password-9d1c';
    const result = await healthcheck({ ...serviceEnv(), REDIS_URL: url.href }, 'notify');
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/WRONGPASS/);
    expect(result.output).not.toContain('wrong-redis-password-9d1c');
    expect(result.output).not.toContain(secure.CLICKHOUSE_PASSWORD);
  });
});
