import { loadConfig as loadWith } from '@denyscope/config';
import { configRejections } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { notifierSection } from './config.js';

const sections = { notifier: notifierSection };
const loadConfig = (env: Record<string, string>) => loadWith(env, sections);

const problemsOf = (env: Record<string, string>) => configRejections(env, sections);

describe('notifier section', () => {
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
