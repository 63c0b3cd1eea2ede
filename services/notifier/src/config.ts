import { defineSection, durationMs, httpUrl, int, type SectionConfigs } from '@denyscope/config';
import { logSection } from './sinks/log-config.js';
import { pagerdutySection } from './sinks/pagerduty-config.js';
import { slackSection } from './sinks/slack-config.js';
import { webhookSection } from './sinks/webhook-config.js';

// The notifier's configuration section: its general NOTIFY_* variables here, and one section per
// sink declared beside the sink (sinks/<sink>-config.ts), included under `sinks`. A sink is
// enabled by its required setting (URL or key); its section checks the settings that depend on
// each other. Adding a sink: its section file, one line in `sinkSections` below, one in SINKS
// (sinks/index.ts). Loaded with the shared section by loadConfig (the CLI composes every
// service's). Documented in README.md and docs/notifier.md.

/** One section per sink, by sink ID (the keys of `notifier.sinks` and of SINKS). */
const sinkSections = {
  slack: slackSection,
  pagerduty: pagerdutySection,
  webhook: webhookSection,
  log: logSection,
};

export interface NotifierConfig {
  /** Jobs each sink worker (and the dispatcher) runs at once. */
  concurrency: number;
  /** Delivery attempts per sink before the job fails. */
  attempts: number;
  /** First retry delay; doubles on each attempt. */
  backoffMs: number;
  httpTimeoutMs: number;
  /** Where `docs/runbooks/…` paths resolve for links in Slack and PagerDuty (optional). */
  runbookBaseUrl: string | undefined;
  /** One entry per sink; undefined means the sink is not configured and stays off. */
  sinks: SectionConfigs<typeof sinkSections>;
}

export const notifierSection = defineSection({
  variables: {
    NOTIFY_CONCURRENCY: int(1, 100).default(4),
    NOTIFY_ATTEMPTS: int(1, 50).default(8),
    NOTIFY_BACKOFF_MS: durationMs(100, 3_600_000).default(2_000),
    NOTIFY_HTTP_TIMEOUT_MS: durationMs(100, 300_000).default(10_000),
    NOTIFY_RUNBOOK_BASE_URL: httpUrl.optional(),
  },
  sections: sinkSections,
  build: (parsed, sinks): NotifierConfig => ({
    concurrency: parsed.NOTIFY_CONCURRENCY,
    attempts: parsed.NOTIFY_ATTEMPTS,
    backoffMs: parsed.NOTIFY_BACKOFF_MS,
    httpTimeoutMs: parsed.NOTIFY_HTTP_TIMEOUT_MS,
    runbookBaseUrl: parsed.NOTIFY_RUNBOOK_BASE_URL,
    sinks,
  }),
});
