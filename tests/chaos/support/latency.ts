import { alertSubjectId } from '@denyscope/scenarios';
import type { Pipeline } from './pipeline.js';
import type { EventFeed } from './producer.js';
import type { StateChange } from './sinks.js';
import type { ChaosStream } from './streams.js';

export interface DetectionLatency {
  attack: string;
  /**
   * Wall time from when the attack's last event was in Kafka to when the webhook acknowledged
   * its incident's `opened` (negative: it opened before the attack ended). null: never delivered.
   */
  ms: number | null;
}

/**
 * How long after each attack was produced its incident reached a sink. The pipeline adds the
 * allowed lateness (30 s of event time, a second or two of wall time at the suite's speed), one
 * detect tick (1 s) and a delivery; a watermark carried away by a skewed clock adds minutes, or
 * forever.
 */
export function detectionLatencies(
  pipeline: Pipeline,
  stream: ChaosStream,
  feed: EventFeed,
  changes: readonly StateChange[],
): DetectionLatency[] {
  const arrivals = new Map(
    pipeline
      .receivers()
      .webhook.acknowledged()
      .map((d) => [String(d.headers['webhook-id']), d.at]),
  );
  return stream.attacks.map((attack) => {
    const expected = attack.expect[0];
    const lastTs = attack.events.at(-1)?.ts ?? 0;
    const produced = feed.producedAt(lastTs);
    const opened = changes.find(
      (c) =>
        expected !== undefined &&
        c.rule === expected.rule &&
        c.transition === 'opened' &&
        alertSubjectId(c.rule, c) === alertSubjectId(expected.rule, expected.subject),
    );
    const at =
      opened === undefined ? undefined : arrivals.get(`${opened.alert_id}.v${opened.version}`);
    return {
      attack: attack.name,
      ms: at === undefined || produced === null ? null : at - produced,
    };
  });
}
