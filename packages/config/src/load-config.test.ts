import { describe, expect, it } from 'vitest';
import { configProblems, loadConfig } from './index.js';

// The shared section. Each service's section is tested beside it (services/*/src/config.test.ts);
// the composed set of every section (what the CLI validates) in services/cli/src/config.test.ts.

function problemsOf(env: Record<string, string>): readonly string[] {
  const problems = configProblems(env);
  if (problems.length === 0) throw new Error('expected the configuration to be rejected');
  return problems;
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
      fetchMaxBytes: 2 * 1_048_576,
      fetchMaxBytesPerPartition: 1_048_576,
      client: 'kafkajs',
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
      KAFKA_FETCH_MAX_BYTES: '5000000',
      KAFKA_FROM_BEGINNING: 'false',
      ENVIRONMENTS: 'production,staging',
      ENV_MARKERS: 'live:production,test:staging',
    });
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.kafka.fetchMaxBytes).toBe(5_000_000);
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
      KAFKA_FETCH_MAX_BYTES: '-3',
      CLICKHOUSE_DATABASE: 'x; DROP TABLE y',
    });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(
      /KAFKA_BROKERS: expected a comma-separated list of host:port/,
    );
    expect(problems.join('\n')).toMatch(/CLICKHOUSE_URL: expected a URL starting with http:\/\//);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL: .*"loud"/);
    expect(problems.join('\n')).toMatch(/KAFKA_FETCH_MAX_BYTES: expected a whole number/);
    expect(problems.join('\n')).toMatch(/CLICKHOUSE_DATABASE: expected a database name/);
  });

  it('rejects a malformed ENV_MARKERS with the variable name', () => {
    expect(problemsOf({ ENV_MARKERS: 'garbage' })[0]).toMatch(/^ENV_MARKERS: /);
  });
});

describe('loadConfig: ClickHouse cluster', () => {
  it('is a single server unless CLICKHOUSE_CLUSTER is set', () => {
    expect(loadConfig({}).clickhouse.cluster).toBeUndefined();
    expect(loadConfig({ CLICKHOUSE_CLUSTER: '' }).clickhouse.cluster).toBeUndefined();
    expect(loadConfig({ CLICKHOUSE_CLUSTER: 'events' }).clickhouse.cluster).toEqual({
      name: 'events',
      zookeeperPath: '/clickhouse/tables',
    });
    expect(
      loadConfig({ CLICKHOUSE_CLUSTER: 'events', CLICKHOUSE_ZOOKEEPER_PATH: '/ch/{layer}/tables' })
        .clickhouse.cluster,
    ).toEqual({ name: 'events', zookeeperPath: '/ch/{layer}/tables' });
  });

  it('rejects names that cannot be a cluster, paths that are not paths, and a lone path', () => {
    expect(problemsOf({ CLICKHOUSE_CLUSTER: 'a b; DROP' })[0]).toMatch(
      /^CLICKHOUSE_CLUSTER: expected a cluster name/,
    );
    for (const path of ['clickhouse/tables', '/clickhouse/tables/', "/x'y", '/a//b']) {
      expect(
        problemsOf({ CLICKHOUSE_CLUSTER: 'events', CLICKHOUSE_ZOOKEEPER_PATH: path })[0],
        path,
      ).toMatch(/^CLICKHOUSE_ZOOKEEPER_PATH: expected a ZooKeeper path/);
    }
    expect(problemsOf({ CLICKHOUSE_ZOOKEEPER_PATH: '/clickhouse/tables' })[0]).toMatch(
      /^CLICKHOUSE_ZOOKEEPER_PATH: only used with CLICKHOUSE_CLUSTER/,
    );
  });
});

describe('variables in a unit of their own', () => {
  it('leaves the variables in other units whole numbers of their unit, and says so', () => {
    expect(loadConfig({ CLICKHOUSE_QUERY_TIMEOUT_S: '30' }).clickhouse.queryLimits.timeoutS).toBe(
      30,
    );
    expect(loadConfig({ RETENTION_DAYS: '30' }).clickhouse.retentionDays).toBe(30);
    expect(problemsOf({ CLICKHOUSE_QUERY_TIMEOUT_S: '30s', RETENTION_DAYS: '90d' })).toEqual([
      'CLICKHOUSE_QUERY_TIMEOUT_S: expected a whole number of seconds from 1 to 86400 (got "30s")',
      'RETENTION_DAYS: expected a whole number of days from 1 to 3650 (got "90d")',
    ]);
    expect(problemsOf({ RETENTION_DAYS: '0' })).toEqual([
      'RETENTION_DAYS: expected a whole number of days from 1 to 3650 (got "0")',
    ]);
  });
});
