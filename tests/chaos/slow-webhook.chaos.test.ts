import { waitFor } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { expectNoLossNoDuplicate, storedCounts } from './support/checks.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed } from './support/producer.js';
import { profile } from './support/profile.js';
import { expectedKey, receivedKey } from './support/sinks.js';
import { chaosStream } from './support/streams.js';

const SLOW_MS = 10_000;

describe(`chaos: a webhook that answers after ${SLOW_MS / 1000} s`, () => {
  const pipeline = usePipeline({
    name: 'slowhook',
    webhookDelayMs: SLOW_MS,
    // Slow but successful: with the default 10 s timeout every attempt would time out instead.
    env: { NOTIFY_HTTP_TIMEOUT_MS: '15000' },
  });
  const stream = chaosStream(profile, 71);

  it('holds back neither the other sinks nor ingest', async () => {
    pipeline.start('ingest');
    pipeline.start('detect');
    pipeline.start('notify');
    const { webhook, slack, pagerduty } = pipeline.receivers();
    const feed = new EventFeed(pipeline.producer(), stream.events);

    await feed.produce({
      share: 0.6,
      durationMs: profile.produceMs * 0.6,
      until: () => webhook.receiver.requests.length > 0,
    });
    // The webhook now sits on a request; ingest must go on storing what comes meanwhile.
    await feed.produce({ share: 0.2, durationMs: 3_000 });
    const produced = feed.produced;
    await waitFor(
      'events produced while the webhook sat on a request stored',
      () => storedCounts(pipeline.clickhouse()),
      (n) => n.requests >= produced.length,
      { timeoutMs: 60_000, everyMs: 100 },
    );
    const webhookBusy = webhook.receiver.requests.length > webhook.receiver.accepted.length;
    await feed.produce({ durationMs: profile.produceMs * 0.2 });

    const changes = await expectNoLossNoDuplicate(pipeline, stream);
    expect(webhookBusy, 'ingest stored them while a webhook request was still unanswered').toBe(
      true,
    );
    // Each state change reached Slack and PagerDuty before the webhook had answered it: their
    // queues never waited for the slow one.
    const webhookAnsweredAt = new Map(
      webhook.acknowledged().map((d) => [receivedKey('webhook', d), d.at + SLOW_MS]),
    );
    const late: string[] = [];
    let fastest = Infinity;
    for (const receiver of [slack, pagerduty]) {
      const webhookKeys = new Map(
        changes.map((c) => [expectedKey(receiver.id, c), expectedKey('webhook', c)]),
      );
      for (const d of receiver.acknowledged()) {
        const change = webhookKeys.get(receivedKey(receiver.id, d)) ?? '?';
        const answered = webhookAnsweredAt.get(change) ?? -Infinity;
        fastest = Math.min(fastest, answered - d.at);
        if (d.at >= answered) late.push(`${receiver.id} ${change}`);
      }
    }
    console.info(
      `chaos slowhook: Slack/PagerDuty got each change at least ${(fastest / 1000).toFixed(1)} s before the webhook answered it`,
    );
    expect(late, 'deliveries that waited for the webhook').toEqual([]);
  });
});
