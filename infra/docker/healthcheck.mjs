#!/usr/bin/env node
// Health check of a denyscope container (the image's HEALTHCHECK and docker-compose.yml).
//
//   node infra/docker/healthcheck.mjs [ingest|detect|notify|reporter|api]
//
// Without an argument it checks the service the container runs: the `denyscope <command>` on
// PID 1's command line (tini's, in the image). Exit 0: healthy; 1: unhealthy, with one line on
// stdout naming the part that failed (Docker keeps it: `docker inspect`). Never prints a password.
//
// Plain JavaScript without dependencies, on purpose: it runs every 30 s, so it must start in
// milliseconds, while the denyscope CLI loads its TypeScript through tsx (about 1.5 s).
//
// What healthy means per service:
//   api       GET /healthz on API_PORT answers 200 (the process serves requests).
//   ingest    a Kafka broker answers an ApiVersions request, and ClickHouse runs SELECT 1 as the
//             configured user.
//   detect    ClickHouse runs SELECT 1, and Redis answers PING (after AUTH when REDIS_URL has a
//             password).
//   notify    Redis answers PING.
//   reporter  ClickHouse and Redis, as for detect.
// The workers (ingest, detect, notify, reporter) have no HTTP endpoint: their check says the
// container reaches and may use what the service needs (DNS, TLS with the configured CA,
// credentials). Progress is watched elsewhere: ingest's consumer-lag metric and the
// `pipeline-health` rule (docs/deploy.md). One-shot commands (migrate, replay, …) are healthy.
//
// It reads the same variables as the services, with the same defaults (README, Configuration):
// KAFKA_BROKERS, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE,
// KAFKA_SSL_REJECT_UNAUTHORIZED, CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD,
// CLICKHOUSE_CA_FILE, REDIS_URL, REDIS_CA_FILE, API_HOST, API_PORT. Kafka SASL is not attempted:
// a SASL listener answers ApiVersions before authentication.
// DENYSCOPE_HEALTH_PID (default 1) names the process whose command line picks the service.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

const TIMEOUT_MS = 5000;
const env = process.env;

/** Empty counts as unset, as in the services' configuration. */
function setting(name, fallback) {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

const flag = (name, fallback) => ['true', '1'].includes(setting(name, String(fallback)));
const pem = (name) => {
  const path = setting(name, undefined);
  return path === undefined ? undefined : readFileSync(path, 'utf8');
};

/** The denyscope command in a process's command line: the argument after bin/denyscope(.js). */
function commandOf(cmdline) {
  const args = cmdline.split('\0');
  const bin = args.findIndex((arg) => /(^|\/)denyscope(\.js)?$/.test(arg));
  return bin === -1 ? undefined : args[bin + 1];
}

/** host:port of a URL, for messages: never its credentials. */
const where = (url) => `${url.hostname}:${url.port || (url.protocol.endsWith('s:') ? 443 : 80)}`;

function withTimeout(what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).then(
    (detail) => {
      clearTimeout(timer);
      return `${what} ${detail}`;
    },
    (error) => {
      clearTimeout(timer);
      throw new Error(`${what}: ${error.message}`);
    },
  );
}

/** One socket, plain or TLS; resolves once connected (TLS: handshake done and verified). */
function connect({ host, port, secure, ca, cert, key, rejectUnauthorized = true }) {
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ca,
          cert,
          key,
          rejectUnauthorized,
        })
      : net.connect({ host, port });
    socket.once(secure ? 'secureConnect' : 'connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads from the socket until `done(buffer)` returns a result (not undefined). */
function readUntil(socket, done) {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        const result = done(buffer);
        if (result !== undefined) resolve(result);
      } catch (error) {
        reject(error);
      }
    });
    socket.once('error', reject);
    socket.once('end', () => reject(new Error('connection closed')));
  });
}

/** ApiVersions v0 (api key 18): any broker answers it, before SASL authentication too. */
async function checkKafkaBroker(broker, security) {
  const [host, port] = [
    broker.slice(0, broker.lastIndexOf(':')),
    Number(broker.slice(broker.lastIndexOf(':') + 1)),
  ];
  const socket = await connect({ host: host.replace(/^\[|\]$/g, ''), port, ...security });
  try {
    const clientId = Buffer.from('denyscope-healthcheck');
    const body = Buffer.alloc(10 + clientId.length);
    body.writeInt16BE(18, 0); // api key: ApiVersions
    body.writeInt16BE(0, 2); // api version 0
    body.writeInt32BE(0x0de5c0be, 4); // correlation id
    body.writeInt16BE(clientId.length, 8);
    clientId.copy(body, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length, 0);
    socket.write(Buffer.concat([size, body]));
    return await readUntil(socket, (data) => {
      if (data.length < 10) return undefined;
      if (data.readInt32BE(4) !== 0x0de5c0be) throw new Error('not a Kafka answer');
      const errorCode = data.readInt16BE(8);
      if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
      return 'answers';
    });
  } finally {
    socket.destroy();
  }
}

async function checkKafka() {
  const brokers = setting('KAFKA_BROKERS', '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const secure = flag('KAFKA_SSL', false);
  const security = secure
    ? {
        secure,
        ca: pem('KAFKA_SSL_CA_FILE'),
        cert: pem('KAFKA_SSL_CERT_FILE'),
        key: pem('KAFKA_SSL_KEY_FILE'),
        rejectUnauthorized: flag('KAFKA_SSL_REJECT_UNAUTHORIZED', true),
      }
    : { secure };
  const failures = [];
  for (const broker of brokers) {
    try {
      // One broker that answers is enough: the client finds the others through it.
      return await withTimeout(
        `kafka ${broker}${secure ? ' (tls)' : ''}`,
        checkKafkaBroker(broker, security),
      );
    } catch (error) {
      failures.push(error.message);
    }
  }
  throw new Error(failures.join('; ') || 'kafka: KAFKA_BROKERS is empty');
}

function checkClickHouse() {
  const url = new URL(setting('CLICKHOUSE_URL', 'http://127.0.0.1:8123'));
  const user =
    url.username === '' ? setting('CLICKHOUSE_USER', 'default') : decodeURIComponent(url.username);
  const password =
    url.password === '' ? setting('CLICKHOUSE_PASSWORD', '') : decodeURIComponent(url.password);
  const target = new URL(url.href);
  target.username = '';
  target.password = '';
  target.searchParams.set('query', 'SELECT 1');
  const secure = url.protocol === 'https:';
  const request = new Promise((resolve, reject) => {
    const req = (secure ? https : http).get(
      target,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        },
        ...(secure ? { ca: pem('CLICKHOUSE_CA_FILE') } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => {
          if (res.statusCode === 200 && body.trim() === '1') resolve(`answers as ${user}`);
          // ClickHouse's error text names the user and the cause, never the password.
          else reject(new Error(`HTTP ${res.statusCode}: ${body.trim().slice(0, 200)}`));
        });
      },
    );
    req.once('error', reject);
  });
  return withTimeout(`clickhouse ${where(url)}`, request);
}

/** A RESP array of bulk strings. */
const resp = (...args) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

async function checkRedis() {
  const url = new URL(setting('REDIS_URL', 'redis://127.0.0.1:6379'));
  const secure = url.protocol === 'rediss:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const probe = async () => {
    const socket = await connect({
      host,
      port: url.port === '' ? 6379 : Number(url.port),
      secure,
      ca: secure ? pem('REDIS_CA_FILE') : undefined,
    });
    try {
      const commands = [];
      if (url.password !== '') {
        const password = decodeURIComponent(url.password);
        commands.push(
          url.username === ''
            ? resp('AUTH', password)
            : resp('AUTH', decodeURIComponent(url.username), password),
        );
      }
      commands.push(resp('PING'));
      socket.write(commands.join(''));
      return await readUntil(socket, (data) => {
        const lines = data.toString('utf8').split('\r\n').slice(0, -1);
        // Like the services' client (ioredis), accept a password a Redis without one ignores.
        const error = lines.find(
          (line) => line.startsWith('-') && !line.includes('without any password configured'),
        );
        // Redis's error text (WRONGPASS, NOAUTH, …) never contains the password.
        if (error !== undefined) throw new Error(error.slice(1));
        return lines.length >= commands.length ? 'answers' : undefined;
      });
    } finally {
      socket.destroy();
    }
  };
  return withTimeout(`redis ${host}:${url.port || 6379}${secure ? ' (tls)' : ''}`, probe());
}

function checkApi() {
  const configured = setting('API_HOST', '127.0.0.1');
  // A wildcard address is reached through loopback from inside the container.
  const host = ['0.0.0.0', '::', '[::]'].includes(configured) ? '127.0.0.1' : configured;
  const port = Number(setting('API_PORT', '8080'));
  const request = new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/healthz' }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve('answers');
      else reject(new Error(`/healthz answered ${res.statusCode}`));
    });
    req.once('error', reject);
  });
  return withTimeout(`api ${host}:${port}/healthz`, request);
}

const CHECKS = {
  api: [checkApi],
  ingest: [checkKafka, checkClickHouse],
  detect: [checkClickHouse, checkRedis],
  notify: [checkRedis],
  reporter: [checkClickHouse, checkRedis],
};

async function main() {
  let kind = process.argv[2];
  if (kind === undefined) {
    const pid = setting('DENYSCOPE_HEALTH_PID', '1');
    kind = commandOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  }
  const checks = kind === undefined ? undefined : CHECKS[kind];
  if (checks === undefined) {
    console.log(
      `healthy: nothing to check for ${kind === undefined ? 'this process' : `"${kind}"`}`,
    );
    return 0;
  }
  const results = await Promise.allSettled(checks.map((check) => check()));
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  if (failed.length > 0) {
    console.log(`unhealthy ${kind}: ${failed.join('; ')}`);
    return 1;
  }
  console.log(`healthy ${kind}: ${results.map((r) => r.value).join(', ')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.log(`unhealthy: ${error.message}`);
    process.exit(1);
  },
);
