import { bool, defineSection, ruleIds, severity } from '@denyscope/config';
import { sinkRoute, type NotifierRoute } from './sink-route.js';

// The log sink's configuration section (one of the notifier's, config.ts). On unless
// NOTIFY_LOG_ENABLED=false.

export type LogSettings = NotifierRoute;

export const logSection = defineSection({
  variables: {
    NOTIFY_LOG_ENABLED: bool.default(true),
    NOTIFY_LOG_MIN_SEVERITY: severity.default('info'),
    NOTIFY_LOG_RULES: ruleIds.optional(),
  },
  build: (parsed): LogSettings | undefined =>
    parsed.NOTIFY_LOG_ENABLED
      ? sinkRoute(parsed.NOTIFY_LOG_MIN_SEVERITY, parsed.NOTIFY_LOG_RULES)
      : undefined,
});
