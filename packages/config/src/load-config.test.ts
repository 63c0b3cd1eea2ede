import { readFileSync } from 'node:fs';
import { DURATION_MESSAGE } from '@denyscope/events';
import { describe, expect, it } from 'vitest';
import { ENV_DURATION_MESSAGE } from './env-schema.js';
import { configProblems, envSchema, loadConfig } from './index.js';

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

  it('caps the reads per key and minute that ingest records, 0 to 10000, 100 by default', () => {
    expect(loadConfig({}).ingest.keyReadsPerMinute).toBe(100);
    expect(loadConfig({ INGEST_KEY_READS_PER_MINUTE: '0' }).ingest.keyReadsPerMinute).toBe(0);
    expect(loadConfig({ INGEST_KEY_READS_PER_MINUTE: '10000' }).ingest.keyReadsPerMinute).toBe(
      10_000,
    );
    expect(problemsOf({ INGEST_KEY_READS_PER_MINUTE: '10001' })[0]).toMatch(
      /^INGEST_KEY_READS_PER_MINUTE: /,
    );
    expect(problemsOf({ INGEST_KEY_READS_PER_MINUTE: '-1' })[0]).toMatch(
      /^INGEST_KEY_READS_PER_MINUTE: /,
    );
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

describe('loadConfig: notifier', () => {
  it('enables only the log sink by default, with the documented defaults', () => {
    const { notifier } = loadConfig({});
    expect(notifier).toMatchObject({
      concurrency: 4,
      attempts: 8,
      backoffMs: 2_000,
      httpTimeoutMs: 10_000,
      runbookBaseUrl: undefined,
    });
    expect(notifier.sinks.slack).toBeUndefined();
    expect(notifier.sinks.pagerduty).toBeUndefined();
    expect(notifier.sinks.webhook).toBeUndefined();
    expect(notifier.sinks.log?.minSeverity).toBe('info');
    expect(notifier.sinks.log?.rules).toContain('stale-resource-ids');
    expect(loadConfig({ NOTIFY_LOG_ENABLED: 'false' }).notifier.sinks.log).toBeUndefined();
  });

  it('enables a sink by its required setting, with per-sink severity and rule defaults', () => {
    const { sinks } = loadConfig({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/xyz',
      PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000000',
      WEBHOOK_URL: 'https://siem.example.com/denyscope',
      WEBHOOK_SECRET: 'a-long-enough-shared-secret',
      NOTIFY_PAGERDUTY_RULES: 'id-enumeration, foreign-access-success',
      NOTIFY_SLACK_MIN_SEVERITY: 'high',
    }).notifier;
    expect(sinks.slack).toMatchObject({ minSeverity: 'high' });
    expect(sinks.slack?.rules).toHaveLength(7);
    expect(sinks.slack?.rules).toContain('pipeline-health');
    expect(sinks.pagerduty).toEqual({
      routingKey: 'R0UTINGKEY0000000000000000000000',
      eventsUrl: 'https://events.pagerduty.com/v2/enqueue',
      minSeverity: 'high',
      rules: ['id-enumeration', 'foreign-access-success'],
    });
    expect(sinks.webhook).toMatchObject({
      url: 'https://siem.example.com/denyscope',
      secret: 'a-long-enough-shared-secret',
      minSeverity: 'info',
    });
  });

  it('never pages pipeline-health by default; a person can list it explicitly', () => {
    const pagerduty = (env: Record<string, string>) =>
      loadConfig({ PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000000', ...env }).notifier
        .sinks.pagerduty;
    expect(pagerduty({})?.rules).toContain('id-enumeration');
    expect(pagerduty({})?.rules).not.toContain('pipeline-health');
    expect(pagerduty({ NOTIFY_PAGERDUTY_RULES: 'pipeline-health' })?.rules).toEqual([
      'pipeline-health',
    ]);
  });

  it('rejects unknown rules and severities, naming the variable', () => {
    const problems = problemsOf({
      NOTIFY_SLACK_RULES: 'id-enumeration,made-up',
      NOTIFY_PAGERDUTY_MIN_SEVERITY: 'urgent',
      NOTIFY_ATTEMPTS: '0',
    });
    expect(problems.join('\n')).toMatch(/NOTIFY_SLACK_RULES: expected comma-separated rule IDs/);
    expect(problems.join('\n')).toMatch(/NOTIFY_PAGERDUTY_MIN_SEVERITY: expected one of info/);
    expect(problems.join('\n')).toMatch(/NOTIFY_ATTEMPTS: /);
  });

  it('requires WEBHOOK_SECRET with WEBHOOK_URL', () => {
    expect(problemsOf({ WEBHOOK_URL: 'https://siem.example.com/x' })[0]).toMatch(
      /^WEBHOOK_SECRET: required when WEBHOOK_URL is set/,
    );
  });

  it('names a bad secret-bearing variable without echoing its value', () => {
    const problems = problemsOf({
      SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T0/B0/very-secret-path',
      WEBHOOK_URL: 'https://siem.example.com/x',
      WEBHOOK_SECRET: 'short-secret',
    });
    expect(problems.join('\n')).toMatch(/SLACK_WEBHOOK_URL: expected a URL/);
    expect(problems.join('\n')).toMatch(/WEBHOOK_SECRET: expected at least 16 characters/);
    expect(problems.join('\n')).not.toMatch(/very-secret-path|short-secret/);
  });
});

describe('WEBHOOK_SECRET', () => {
  const url = 'https://siem.example/hook';
  it('takes a Standard Webhooks whsec_ secret of 24 to 64 bytes, or any 16+ characters', () => {
    const whsec = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(
      loadConfig({ WEBHOOK_URL: url, WEBHOOK_SECRET: whsec }).notifier.sinks.webhook?.secret,
    ).toBe(whsec);
    expect(configProblems({ WEBHOOK_URL: url, WEBHOOK_SECRET: 'legacy-secret-123456' })).toEqual(
      [],
    );
  });

  it('refuses a whsec_ secret that is not base64 or too short, without echoing it', () => {
    for (const secret of [
      `whsec_${Buffer.alloc(8).toString('base64')}`,
      'whsec_not*base64*at*all!!',
    ]) {
      const problems = configProblems({ WEBHOOK_URL: url, WEBHOOK_SECRET: secret });
      expect(problems).toEqual([
        'WEBHOOK_SECRET: expected whsec_ followed by the base64 of 24 to 64 random bytes',
      ]);
    }
  });
});

describe('duration variables (*_MS)', () => {
  const durationVariables = Object.keys(envSchema.shape).filter((name) => name.endsWith('_MS'));

  it('take a duration of the shared grammar or whole milliseconds, as before', () => {
    expect(loadConfig({ DETECT_INTERVAL_MS: '2s' }).detector.intervalMs).toBe(2_000);
    expect(loadConfig({ DETECT_INTERVAL_MS: '2000' }).detector.intervalMs).toBe(2_000);
    expect(loadConfig({ INGEST_FLUSH_INTERVAL_MS: '250ms' }).ingest.flushIntervalMs).toBe(250);
    expect(loadConfig({ NOTIFY_HTTP_TIMEOUT_MS: '1m' }).notifier.httpTimeoutMs).toBe(60_000);
    expect(loadConfig({ DETECT_RESOLVED_TTL_MS: '30d' }).detector.resolvedTtlMs).toBe(
      30 * 86_400_000,
    );
    expect(loadConfig({ DETECT_CATCHUP_MAX_MS: '0s' }).detector.catchUp.maxMs).toBe(0);
  });

  it('covers every *_MS variable (the list in docs/durations.md): its default parses in ms and s', () => {
    const docs = readFileSync(new URL('../../../docs/durations.md', import.meta.url), 'utf8');
    const listed = /These\s+are the variables: ([^(]+)\(/.exec(docs)?.[1] ?? '';
    expect([...listed.matchAll(/`(\w+)`/g)].map((match) => match[1]).sort()).toEqual(
      [...durationVariables].sort(),
    );
    for (const name of durationVariables) {
      const schema = envSchema.shape[name as keyof typeof envSchema.shape];
      const fallback = schema.parse(undefined) as number;
      expect(schema.parse(String(fallback)), name).toBe(fallback);
      expect(schema.parse(`${fallback}ms`), name).toBe(fallback);
      if (fallback % 1_000 === 0) expect(schema.parse(`${fallback / 1_000}s`), name).toBe(fallback);
    }
  });

  it('refuse anything else with the shared text, plus "or whole milliseconds"', () => {
    expect(ENV_DURATION_MESSAGE).toBe(`${DURATION_MESSAGE}, or whole milliseconds`);
    for (const text of ['2 s', '1.5s', '-1', '2S', '1h30m', '2sec', '2e3']) {
      expect(configProblems({ DETECT_INTERVAL_MS: text }), text).toEqual([
        `DETECT_INTERVAL_MS: ${ENV_DURATION_MESSAGE} (got ${JSON.stringify(text)})`,
      ]);
    }
  });

  it('keep their bounds, naming them in both spellings', () => {
    const interval = `DETECT_INTERVAL_MS: expected a duration from 500ms to 1h, or whole milliseconds from 500 to 3600000`;
    expect(configProblems({ DETECT_INTERVAL_MS: '2h' })).toEqual([`${interval} (got "2h")`]);
    expect(configProblems({ DETECT_INTERVAL_MS: '499' })).toEqual([`${interval} (got "499")`]);
    expect(configProblems({ DETECT_INTERVAL_MS: '1h' })).toEqual([]);
    expect(configProblems({ DETECT_INTERVAL_MS: '500ms' })).toEqual([]);
    expect(problemsOf({ DETECT_ALLOWED_LATENESS_MS: '61m' })).toEqual([
      'DETECT_ALLOWED_LATENESS_MS: expected a duration from 0ms to 1h, or whole milliseconds from 0 to 3600000 (got "61m")',
    ]);
    expect(problemsOf({ DETECT_RESOLVED_TTL_MS: '23h' })[0]).toMatch(
      /^DETECT_RESOLVED_TTL_MS: expected a duration from 1d to 366d, or whole milliseconds from 86400000 to 31622400000/,
    );
  });

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
