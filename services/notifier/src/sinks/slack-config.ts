import { defineSection, httpUrl, ruleIds, severity } from '@denyscope/config';
import { sinkRoute, type NotifierRoute } from './sink-route.js';

// The Slack sink's configuration section (one of the notifier's, config.ts). Enabled by
// SLACK_WEBHOOK_URL, a secret: its path is the credential.

export type SlackSettings = NotifierRoute & { webhookUrl: string };

export const slackSection = defineSection({
  variables: {
    SLACK_WEBHOOK_URL: httpUrl.optional(),
    NOTIFY_SLACK_MIN_SEVERITY: severity.default('medium'),
    NOTIFY_SLACK_RULES: ruleIds.optional(),
  },
  secrets: ['SLACK_WEBHOOK_URL'],
  build: (parsed): SlackSettings | undefined =>
    parsed.SLACK_WEBHOOK_URL === undefined
      ? undefined
      : {
          webhookUrl: parsed.SLACK_WEBHOOK_URL,
          ...sinkRoute(parsed.NOTIFY_SLACK_MIN_SEVERITY, parsed.NOTIFY_SLACK_RULES),
        },
});
