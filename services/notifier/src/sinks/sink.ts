import type { AlertNotification } from '@denyscope/alerts';
import type { Logger } from '@denyscope/telemetry';
import type { NotifierConfig } from '../config.js';
import type { HttpPost } from '../http-post.js';

export type { NotifierConfig };

/** A sink's ID is its key in the config's `notifier.sinks`; its queue is `QUEUES.sink(id)`. */
export type SinkId = keyof NotifierConfig['sinks'];

/** A sink's own config section, present only when the sink is configured. */
export type SinkSettings<Id extends SinkId> = NonNullable<NotifierConfig['sinks'][Id]>;

export interface Sink {
  /** Where deliveries go, safe to log: the host only, never a path, query or key. */
  readonly target: string;
  /** Resolves once the sink accepted the notification; throws a NotifierError otherwise. */
  deliver(notification: AlertNotification): Promise<void>;
}

export interface SinkContext {
  post: HttpPost;
  log: Logger;
  runbookBaseUrl: string | undefined;
  /** The clock, for signature timestamps; tests pin it. */
  now: () => number;
}

export type SinkFactory<Id extends SinkId> = (
  settings: SinkSettings<Id>,
  context: SinkContext,
) => Sink;

/** The lookup table of sinks: adding one is a new file in this folder and one line here. */
export type SinkRegistry = { [Id in SinkId]: SinkFactory<Id> };
