import { createLogSink } from './log.js';
import { createPagerDutySink } from './pagerduty.js';
import type { NotifierConfig, Sink, SinkContext, SinkId, SinkRegistry } from './sink.js';
import { createSlackSink } from './slack.js';
import { createWebhookSink } from './webhook.js';

export const SINKS: SinkRegistry = {
  slack: createSlackSink,
  pagerduty: createPagerDutySink,
  webhook: createWebhookSink,
  log: createLogSink,
};

/** The configured sinks, built; a sink without its required setting is left out. */
export function createSinks(
  config: NotifierConfig,
  context: SinkContext,
): { id: SinkId; sink: Sink }[] {
  const built: { id: SinkId; sink: Sink }[] = [];
  for (const id of Object.keys(SINKS) as SinkId[]) {
    const sink = build(id, config, context);
    if (sink !== undefined) built.push({ id, sink });
  }
  return built;
}

function build<Id extends SinkId>(
  id: Id,
  config: NotifierConfig,
  context: SinkContext,
): Sink | undefined {
  const settings = config.sinks[id];
  return settings === undefined ? undefined : SINKS[id](settings, context);
}

export { renderSlackMessage, type SlackBlock, type SlackMessage } from './slack.js';
export {
  pagerDutyEvent,
  PAGERDUTY_SEVERITY,
  type PagerDutyEvent,
  type PagerDutySeverity,
} from './pagerduty.js';
export type {
  NotifierConfig,
  Sink,
  SinkContext,
  SinkFactory,
  SinkId,
  SinkRegistry,
} from './sink.js';
