import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { chaosStack } from './support/chaos-stack.js';
import {
  expectNoLossNoDuplicate,
  incidentOpenAndNotified,
  openIncidents,
} from './support/checks.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed } from './support/producer.js';
import { profile } from './support/profile.js';
import { chaosStream } from './support/streams.js';

describe(`chaos: ClickHouse down for ${profile.outageMs / 1000} s mid-stream`, () => {
  const pipeline = usePipeline({ name: 'chdown' });
  const stream = chaosStream(profile, 31);

  it('ingest and the detector wait it out: every request stored once, every change notified once', async () => {
    const ingest = pipeline.start('ingest');
    const detector = pipeline.start('detect');
    pipeline.start('notify');
    const feed = new EventFeed(pipeline.producer(), stream.events);

    await feed.produce({
      share: 0.7,
      durationMs: profile.produceMs * 0.7,
      until: incidentOpenAndNotified(pipeline),
    });
    const open = await openIncidents(pipeline.clickhouse());
    expect(open, 'an incident is open when ClickHouse goes').toBeGreaterThan(0);
    // A graceful stop: ClickHouse finishes what its open connections send, then goes away.
    await chaosStack.down('clickhouse');
    const downAt = Date.now();
    // The stream goes on while it is down; ingest must pause, not drop or crash.
    await feed.produce({ share: 0.2, durationMs: profile.outageMs });
    await sleep(profile.outageMs - (Date.now() - downAt));
    expect(ingest.child.exitCode, 'ingest survives the outage').toBeNull();
    expect(detector.child.exitCode, 'the detector survives the outage').toBeNull();
    await chaosStack.up('clickhouse');
    console.info(
      `chaos chdown: ClickHouse down ${((Date.now() - downAt) / 1000).toFixed(1)} s ` +
        `with ${open} incident(s) open and ${feed.produced.length} of ${stream.events.length} events produced`,
    );
    await feed.produce({ durationMs: profile.produceMs * 0.3 });

    await expectNoLossNoDuplicate(pipeline, stream);
    expect(ingest.output()).toMatch(/consumption paused, retrying/);
    expect(ingest.output()).toMatch(/storage recovered; consumption resumed/);
    expect(detector.output()).toMatch(/ECONNREFUSED/);
    expect([ingest, detector].map((p) => p.child.exitCode)).toEqual([null, null]);
  });
});
