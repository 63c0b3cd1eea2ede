import { describe, expect, it } from 'vitest';
import { RULE_IDS, type RuleId, type Severity } from '@denyscope/alerts';
import { loadConfig as loadWith } from '@denyscope/config';
import { chooseSinks } from './routing.js';
import { notifierSection } from './config.js';

const loadConfig = (env: Record<string, string>) => loadWith(env, { notifier: notifierSection });

const all = loadConfig({
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
  PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000000',
  WEBHOOK_URL: 'https://siem.example/hook',
  WEBHOOK_SECRET: 'a-long-enough-shared-secret',
}).notifier.sinks;

const route = (severity: Severity, rule: RuleId = 'id-enumeration') =>
  chooseSinks({ severity, rule }, all);

describe('chooseSinks', () => {
  it('applies each sink default minimum severity', () => {
    expect(route('info')).toEqual(['webhook', 'log']);
    expect(route('low')).toEqual(['webhook', 'log']);
    expect(route('medium')).toEqual(['slack', 'webhook', 'log']);
    expect(route('high')).toEqual(['slack', 'pagerduty', 'webhook', 'log']);
    expect(route('critical')).toEqual(['slack', 'pagerduty', 'webhook', 'log']);
  });

  it('tells only PagerDuty and the log about an acknowledgement', () => {
    expect(chooseSinks({ severity: 'high', rule: 'id-enumeration' }, all, 'acknowledged')).toEqual([
      'pagerduty',
      'log',
    ]);
    expect(chooseSinks({ severity: 'low', rule: 'id-enumeration' }, all, 'acknowledged')).toEqual([
      'log',
    ]);
  });

  it('leaves out sinks that are not configured', () => {
    expect(
      chooseSinks({ severity: 'critical', rule: 'cross-tenant' }, loadConfig({}).notifier.sinks),
    ).toEqual(['log']);
  });

  it('filters by the configured rules', () => {
    const sinks = loadConfig({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
      NOTIFY_SLACK_RULES: 'cross-tenant,foreign-access-success',
      NOTIFY_LOG_RULES: 'stale-resource-ids',
    }).notifier.sinks;
    expect(chooseSinks({ severity: 'high', rule: 'cross-tenant' }, sinks)).toEqual(['slack']);
    expect(chooseSinks({ severity: 'high', rule: 'id-enumeration' }, sinks)).toEqual([]);
    expect(chooseSinks({ severity: 'info', rule: 'stale-resource-ids' }, sinks)).toEqual(['log']);
  });

  it('never sends info to PagerDuty, whatever the config says', () => {
    const sinks = loadConfig({
      PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000000',
      NOTIFY_PAGERDUTY_MIN_SEVERITY: 'info',
      NOTIFY_LOG_ENABLED: 'false',
    }).notifier.sinks;
    for (const rule of RULE_IDS) {
      expect(chooseSinks({ severity: 'info', rule }, sinks)).toEqual([]);
    }
    expect(chooseSinks({ severity: 'low', rule: 'stale-resource-ids' }, sinks)).toEqual([
      'pagerduty',
    ]);
  });
});
