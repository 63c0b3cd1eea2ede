export { runNotifier } from './run-notifier.js';
export {
  verifyWebhookSignature,
  signWebhookBody,
  WEBHOOK_HEADERS,
  type VerifyOptions,
} from './webhook-signature.js';
export {
  STANDARD_WEBHOOK_HEADERS,
  standardWebhookHeaders,
  standardWebhookKey,
  verifyStandardWebhook,
} from './standard-webhooks.js';
export { chooseSinks, SEVERITY_FLOOR } from './routing.js';
export { sinkJobId } from './job-ids.js';
export { sinkJobOptions } from './dispatcher.js';
export {
  NotifierError,
  SinkHttpError,
  SinkUnreachableError,
  InvalidNotificationError,
  isRetriable,
  isRetriableStatus,
} from './errors.js';
export {
  SINKS,
  createSinks,
  renderSlackMessage,
  pagerDutyEvent,
  PAGERDUTY_SEVERITY,
  type NotifierConfig,
  type PagerDutyEvent,
  type PagerDutySeverity,
  type Sink,
  type SinkContext,
  type SinkFactory,
  type SinkId,
  type SinkRegistry,
  type SlackBlock,
  type SlackMessage,
} from './sinks/index.js';
export { notifierSection } from './config.js';
export { type NotifierRoute } from './sinks/sink-route.js';
