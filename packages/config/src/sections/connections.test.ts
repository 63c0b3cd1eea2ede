import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configProblems, loadConfig, redisConnectionOptions } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'denyscope-tls-'));
const pem = (name: string, kind: string): string => {
  const path = join(dir, name);
  writeFileSync(path, `-----BEGIN ${kind}-----\nMIIBfake\n-----END ${kind}-----\n`);
  return path;
};
const CA = pem('ca.pem', 'CERTIFICATE');
const CERT = pem('client.pem', 'CERTIFICATE');
const KEY = pem('client.key', 'PRIVATE KEY');
const NOT_PEM = join(dir, 'not.pem');
writeFileSync(NOT_PEM, 'hello');

describe('secured connections', () => {
  it('is plaintext without authentication by default', () => {
    const config = loadConfig({});
    expect(config.kafka.ssl).toBeUndefined();
    expect(config.kafka.sasl).toBeUndefined();
    expect(config.clickhouse.caCert).toBeUndefined();
    expect(config.redis.caCert).toBeUndefined();
  });

  it('builds Kafka TLS with a CA and a client certificate, and SASL', () => {
    const { kafka } = loadConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: CA,
      KAFKA_SSL_CERT_FILE: CERT,
      KAFKA_SSL_KEY_FILE: KEY,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ingest',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(kafka.ssl?.rejectUnauthorized).toBe(true);
    expect(kafka.ssl?.ca?.[0]).toContain('BEGIN CERTIFICATE');
    expect(kafka.ssl?.cert).toContain('BEGIN CERTIFICATE');
    expect(kafka.ssl?.key).toContain('BEGIN PRIVATE KEY');
    expect(kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'ingest',
      password: 's3cret',
    });
  });

  it('allows TLS with the system CAs and without verification when asked', () => {
    const { kafka } = loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' });
    expect(kafka.ssl).toEqual({ rejectUnauthorized: false });
  });

  it('names the variable of a missing or non-PEM file', () => {
    expect(configProblems({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'nope.pem') })).toEqual(
      [`KAFKA_SSL_CA_FILE: cannot read ${JSON.stringify(join(dir, 'nope.pem'))} (ENOENT)`],
    );
    expect(
      configProblems({ CLICKHOUSE_URL: 'https://ch:8443', CLICKHOUSE_CA_FILE: NOT_PEM }),
    ).toEqual([
      `CLICKHOUSE_CA_FILE: ${JSON.stringify(NOT_PEM)} is not a PEM file with a certificate`,
    ]);
    expect(
      configProblems({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: CERT, KAFKA_SSL_KEY_FILE: CA }),
    ).toEqual([`KAFKA_SSL_KEY_FILE: ${JSON.stringify(CA)} is not a PEM file with a private key`]);
  });

  it('refuses settings that would be silently ignored or half a pair', () => {
    expect(configProblems({ KAFKA_SSL_CA_FILE: CA })).toEqual([
      'KAFKA_SSL_CA_FILE: only used with KAFKA_SSL=true',
    ]);
    expect(configProblems({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: CERT })).toEqual([
      'KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: a client certificate needs its key (set both, or neither)',
    ]);
    expect(configProblems({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })[0]).toMatch(
      /^KAFKA_SASL_MECHANISM: required/,
    );
    expect(configProblems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toEqual([
      'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: both required with KAFKA_SASL_MECHANISM=plain',
    ]);
    expect(configProblems({ KAFKA_SASL_MECHANISM: 'gssapi' })[0]).toMatch(
      /^KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512/,
    );
    expect(configProblems({ CLICKHOUSE_CA_FILE: CA })).toEqual([
      'CLICKHOUSE_CA_FILE: only used with an https:// CLICKHOUSE_URL',
    ]);
    expect(configProblems({ REDIS_CA_FILE: CA })).toEqual([
      'REDIS_CA_FILE: only used with a rediss:// REDIS_URL',
    ]);
  });

  it('never echoes the SASL or ClickHouse password in an error', () => {
    const problems = configProblems({
      KAFKA_SASL_MECHANISM: 'bogus',
      KAFKA_SASL_PASSWORD: 'hunter2-kafka',
      CLICKHOUSE_URL: 'ftp://user:hunter2-ch@host',
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).not.toMatch(/hunter2/);
  });
});

describe('redisConnectionOptions', () => {
  it('carries user, password, database and the CA of a rediss:// URL', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://alerts:p%40ss@redis.internal:6380/2',
      REDIS_CA_FILE: CA,
    });
    expect(redisConnectionOptions(config.redis)).toEqual({
      host: 'redis.internal',
      port: 6380,
      username: 'alerts',
      password: 'p@ss',
      db: 2,
      tls: { ca: [expect.stringContaining('BEGIN CERTIFICATE')] },
    });
  });

  it('has no TLS for redis:// and strips IPv6 brackets', () => {
    expect(redisConnectionOptions(loadConfig({ REDIS_URL: 'redis://[::1]:6379' }).redis)).toEqual({
      host: '::1',
      port: 6379,
    });
  });
});
