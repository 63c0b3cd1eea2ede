import { PAGING_RULE_IDS } from '@denyscope/alerts';
import { defineSection, httpUrl, ruleIds, severity } from '@denyscope/config';
import { z } from 'zod';
import { sinkRoute, type NotifierRoute } from './sink-route.js';

// The PagerDuty sink's configuration section (one of the notifier's, config.ts). Enabled by
// PAGERDUTY_ROUTING_KEY, a secret.

export type PagerDutySettings = NotifierRoute & { routingKey: string; eventsUrl: string };

export const pagerdutySection = defineSection({
  variables: {
    PAGERDUTY_ROUTING_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, { message: 'expected a PagerDuty integration key' })
      .optional(),
    PAGERDUTY_EVENTS_URL: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
    NOTIFY_PAGERDUTY_MIN_SEVERITY: severity.default('high'),
    NOTIFY_PAGERDUTY_RULES: ruleIds.optional(),
  },
  secrets: ['PAGERDUTY_ROUTING_KEY'],
  build: (parsed): PagerDutySettings | undefined =>
    parsed.PAGERDUTY_ROUTING_KEY === undefined
      ? undefined
      : {
          routingKey: parsed.PAGERDUTY_ROUTING_KEY,
          eventsUrl: parsed.PAGERDUTY_EVENTS_URL,
          ...sinkRoute(
            parsed.NOTIFY_PAGERDUTY_MIN_SEVERITY,
            parsed.NOTIFY_PAGERDUTY_RULES,
            // pipeline-health is operational: it pages only when listed explicitly.
            PAGING_RULE_IDS,
          ),
        },
});
