import { readFileSync } from 'node:fs';
import {
  configProblems as problemsWith,
  ENV_DURATION_MESSAGE,
  variablesOf,
} from '@denyscope/config';
import { DURATION_MESSAGE } from '@denyscope/events';
import { configRejections } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { ALL_SECTIONS, loadAllConfig as loadConfig } from './config.js';

// The composed configuration every `denyscope` command loads: the shared section and every
// service's. Each section's own tests are beside it; these check what spans all of them.

const variables = variablesOf(ALL_SECTIONS);
const configProblems = (env: Record<string, string>) => problemsWith(env, ALL_SECTIONS);

const problemsOf = (env: Record<string, string>) => configRejections(env, ALL_SECTIONS);

describe('the whole configuration', () => {
  it('names every bad variable, shared and of a service, in one error', () => {
    // What each message says is the shared section's test (packages/config); here: all together.
    const problems = problemsOf({
      KAFKA_BROKERS: 'not a broker',
      LOG_LEVEL: 'loud',
      INGEST_BATCH_MAX_ROWS: '-3',
      DETECT_INTERVAL_MS: 'soon',
      NOTIFY_ATTEMPTS: '0',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'DETECT_INTERVAL_MS',
      'INGEST_BATCH_MAX_ROWS',
      'KAFKA_BROKERS',
      'LOG_LEVEL',
      'NOTIFY_ATTEMPTS',
    ]);
    expect(problems.join('\n')).toMatch(/INGEST_BATCH_MAX_ROWS: expected a whole number/);
  });

  it('refuses a bad variable of any service, whichever command loads it', () => {
    // `denyscope ingest` loads this too: a notifier mistake stops it as before.
    expect(configProblems({ NOTIFY_ATTEMPTS: '0', WEBHOOK_URL: 'https://siem.example/x' })).toEqual(
      [expect.stringMatching(/^NOTIFY_ATTEMPTS: /)],
    );
    expect(configProblems({ WEBHOOK_URL: 'https://siem.example/x' })).toEqual([
      'WEBHOOK_SECRET: required when WEBHOOK_URL is set (deliveries are signed with it)',
    ]);
    expect(configProblems({ SIMULATE_RATE: 'fast', API_PORT: '0' })).toHaveLength(2);
  });

  it('has every section under its name', () => {
    const config = loadConfig({});
    expect(Object.keys(config).sort()).toEqual(
      [
        ...['api', 'clickhouse', 'detector', 'events', 'ingest', 'kafka', 'logLevel'],
        ...['notifier', 'pipeline', 'redis', 'reporter', 'simulator'],
      ].sort(),
    );
  });

  it('is documented variable by variable in README.md', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const missing = Object.keys(variables).filter((name) => !table.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

describe('duration variables (*_MS)', () => {
  const durationVariables = Object.keys(variables).filter((name) => name.endsWith('_MS'));

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
      const schema = variables[name]!;
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
});
