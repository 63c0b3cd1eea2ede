import { describe, expect, it } from 'vitest';
import { chaosStack } from './support/chaos-stack.js';
import { expectNoLossNoDuplicate, incidentOpenAndNotified } from './support/checks.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed } from './support/producer.js';
import { profile } from './support/profile.js';
import { chaosStream } from './support/streams.js';

describe('chaos: the Kafka broker restarted mid-stream', () => {
  const pipeline = usePipeline({ name: 'kafkarestart' });
  const stream = chaosStream(profile, 51);

  it('ingest reconnects by itself; nothing lost, nothing counted twice, every change notified once', async () => {
    const ingest = pipeline.start('ingest');
    pipeline.start('detect');
    pipeline.start('notify');
    const producer = pipeline.producer();
    const feed = new EventFeed(producer, stream.events);

    await feed.produce({
      share: 0.6,
      durationMs: profile.produceMs * 0.6,
      until: incidentOpenAndNotified(pipeline),
    });
    const restartedAt = Date.now();
    await chaosStack.down('kafka');
    // The gateways keep producing: their sends fail while the broker is away and are retried
    // (kafkajs first, then StreamProducer) until it is back.
    const producing = feed.produce({ share: 0.2, durationMs: profile.produceMs * 0.2 });
    await chaosStack.up('kafka');
    await producing;
    console.info(
      `chaos kafkarestart: broker stopped and started again in ${((Date.now() - restartedAt) / 1000).toFixed(1)} s; ` +
        `the longest send took ${(producer.longestSendMs / 1000).toFixed(1)} s (${producer.retries} retried by the test)`,
    );
    expect(producer.longestSendMs, 'a send waited for the broker (ms)').toBeGreaterThan(1_000);
    await feed.produce({ durationMs: profile.produceMs * 0.3 });

    await expectNoLossNoDuplicate(pipeline, stream);
    expect(ingest.child.exitCode, 'ingest survives the restart').toBeNull();
    expect(ingest.output(), 'ingest lost the broker').toMatch(/ECONNREFUSED/);
  });
});
