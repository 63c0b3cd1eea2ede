import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { chaosStack } from './support/chaos-stack.js';
import {
  expectNoLossNoDuplicate,
  incidentOpenAndNotified,
  openIncidents,
  waitDetectorEvaluating,
} from './support/checks.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed } from './support/producer.js';
import { profile } from './support/profile.js';
import { chaosStream } from './support/streams.js';

describe(`chaos: Redis down for ${profile.outageMs / 1000} s while incidents are open`, () => {
  const pipeline = usePipeline({ name: 'redisdown' });
  const stream = chaosStream(profile, 41);

  it('alerts are delayed, not lost, and none is sent twice', async () => {
    const detector = pipeline.start('detect');
    const notifier = pipeline.start('notify');
    pipeline.start('ingest');
    const feed = new EventFeed(pipeline.producer(), stream.events);

    await feed.produce({
      share: 0.7,
      durationMs: profile.produceMs * 0.7,
      until: incidentOpenAndNotified(pipeline),
    });
    const open = await openIncidents(pipeline.clickhouse());
    expect(open, 'an incident is open when Redis goes').toBeGreaterThan(0);
    // Persistent, like a production Redis under BullMQ (see support/stack-settings.ts): queues,
    // incident state and the delivery ledger survive; only the time in between is lost.
    await chaosStack.down('redis');
    const downAt = Date.now();
    const notifiedBefore = pipeline.receivers().webhook.acknowledged().length;
    // The stream goes on (a fifth of it, minutes of event time); the detector cannot evaluate
    // without Redis and walks the windows that closed meanwhile once it is back (catch-up).
    await feed.produce({ share: 0.2, durationMs: profile.outageMs });
    await sleep(profile.outageMs - (Date.now() - downAt));
    expect(detector.child.exitCode, 'the detector survives the outage').toBeNull();
    expect(notifier.child.exitCode, 'the notifier survives the outage').toBeNull();
    expect(
      pipeline.receivers().webhook.acknowledged().length,
      'nothing is notified without Redis',
    ).toBe(notifiedBefore);
    await chaosStack.up('redis');
    const upAt = Date.now();
    const rest = feed.produce({ durationMs: profile.produceMs * 0.3 });
    await waitDetectorEvaluating(pipeline, upAt);
    console.info(
      `chaos redisdown: Redis down ${((Date.now() - downAt) / 1000).toFixed(1)} s ` +
        `with ${open} incident(s) open and ${notifiedBefore} webhook deliveries before; ` +
        `the detector evaluated again ${((Date.now() - upAt) / 1000).toFixed(0)} s after Redis was back`,
    );
    await rest;

    const changes = await expectNoLossNoDuplicate(pipeline, stream);
    console.info(`chaos redisdown: ${changes.length} state changes in all`);
    expect([detector, notifier].map((p) => p.child.exitCode)).toEqual([null, null]);
    expect(detector.output() + notifier.output()).toMatch(/ECONNREFUSED/);
  });
});
