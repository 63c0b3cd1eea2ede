import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to reject');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.kafka).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'denyscope',
      topic: 'api.responses',
      dlqTopic: 'api.responses.dlq',
      groupId: 'denyscope-ingest',
      fromBeginning: true,
      sessionTimeoutMs: 30_000,
    });
    expect(config.clickhouse.url).toBe('http://127.0.0.1:8123');
    expect(config.clickhouse.database).toBe('denyscope');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.logLevel).toBe('info');
    expect(config.events.environments).toEqual(['production', 'staging', 'sandbox', 'development']);
    expect(config.events.envMarkers).toBeUndefined();
  });

  it('derives the dead-letter topic from the topic unless it is set', () => {
    expect(loadConfig({ KAFKA_TOPIC: 'gw.logs' }).kafka.dlqTopic).toBe('gw.logs.dlq');
    expect(loadConfig({ KAFKA_TOPIC: 'gw.logs', KAFKA_DLQ_TOPIC: 'dead' }).kafka.dlqTopic).toBe(
      'dead',
    );
  });

  it('parses lists, numbers and booleans', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'a:9092, b:9093',
      INGEST_BATCH_MAX_ROWS: '5000',
      KAFKA_FROM_BEGINNING: 'false',
      ENVIRONMENTS: 'production,staging',
      ENV_MARKERS: 'live:production,test:staging',
    });
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.ingest.batchMaxRows).toBe(5000);
    expect(config.kafka.fromBeginning).toBe(false);
    expect(config.events.environments).toEqual(['production', 'staging']);
    expect(config.events.envMarkers).toMatchObject({ live: 'production', test: 'staging' });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ KAFKA_TOPIC: '', LOG_LEVEL: '' }).kafka.topic).toBe('api.responses');
  });

  it('names every bad variable and what it expected', () => {
    const problems = problemsOf({
      KAFKA_BROKERS: 'not a broker',
      CLICKHOUSE_URL: 'ftp://x',
      LOG_LEVEL: 'loud',
      INGEST_BATCH_MAX_ROWS: '-3',
      CLICKHOUSE_DATABASE: 'x; DROP TABLE y',
    });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(
      /KAFKA_BROKERS: expected a comma-separated list of host:port/,
    );
    expect(problems.join('\n')).toMatch(/CLICKHOUSE_URL: expected a URL starting with http:\/\//);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL: .*"loud"/);
    expect(problems.join('\n')).toMatch(/INGEST_BATCH_MAX_ROWS: expected a whole number/);
    expect(problems.join('\n')).toMatch(/CLICKHOUSE_DATABASE: expected a database name/);
  });

  it('rejects a malformed ENV_MARKERS with the variable name', () => {
    expect(problemsOf({ ENV_MARKERS: 'garbage' })[0]).toMatch(/^ENV_MARKERS: /);
  });
});
