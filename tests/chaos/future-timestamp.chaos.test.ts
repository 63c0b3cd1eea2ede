import { rows } from '@denyscope/testkit';
import { type GeneratedEvent } from '@denyscope/scenarios';
import { describe, expect, it } from 'vitest';
import {
  expectNoLossNoDuplicate,
  incidentOpenAndNotified,
  openIncidents,
} from './support/checks.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed, eventMessage } from './support/producer.js';
import { profile } from './support/profile.js';
import { chaosStream } from './support/streams.js';

const HOUR = 3_600_000;

/**
 * Issue 11, finding 1, live: one valid event stamped 23 h ahead (a 200, no key), produced while
 * incidents are open. It used to carry the watermark a day ahead: every open incident resolved at
 * once and the attacks after it were never found. Now it is stored and counted but moves nothing;
 * pipeline-health reports its partition. Full profile only (`npm run test:chaos`).
 */
describe.runIf(profile.name === 'full')('chaos: an event stamped 23 h ahead mid-stream', () => {
  const pipeline = usePipeline({ name: 'future' });
  const stream = chaosStream(profile, 71);
  const poison: GeneratedEvent = {
    ts: Date.now() + 23 * HOUR,
    request_id: 'chaos-future-timestamp',
    env: 'production',
    method: 'GET',
    path: '/v1/invoices/inv_000001',
    status: 200,
    key_id: null,
    account_id: null,
  };

  it('resolves nothing early, finds every attack after it, and raises pipeline-health', async () => {
    pipeline.start('ingest');
    pipeline.start('detect');
    pipeline.start('notify');
    const producer = pipeline.producer();
    const feed = new EventFeed(producer, stream.events);
    const client = pipeline.clickhouse();

    await feed.produce({
      share: 0.5,
      durationMs: profile.produceMs * 0.5,
      until: incidentOpenAndNotified(pipeline),
    });
    const openBefore = await openIncidents(client);
    await producer.send([eventMessage(poison)]);
    await feed.produce({ durationMs: profile.produceMs * 0.5 });

    // Stored exactly (the poison too), every attack one incident opened and resolved: an early
    // resolve would have reopened a second incident for the rest of the attack, and an attack
    // after the poison would never have opened.
    const changes = await expectNoLossNoDuplicate(pipeline, stream, {
      events: [...stream.events, poison],
    });
    const [watermark] = await rows<{ t: string }>(
      client,
      'SELECT toUnixTimestamp(max(max_event_time)) AS t FROM ingest_watermarks',
    );
    console.info(
      `chaos future: ${openBefore} incident(s) open when the +23 h event came; ` +
        `${changes.length} state change(s) in all`,
    );
    expect(openBefore, 'incidents open when the poison came').toBeGreaterThan(0);
    expect(Number(watermark?.t) * 1000, 'ingest_watermarks never holds the poison').toBeLessThan(
      Date.now() + 5 * 60_000,
    );
    expect(
      changes.some((c) => c.rule === 'pipeline-health' && c.transition === 'opened'),
      'pipeline-health opened for the partition',
    ).toBe(true);
  });
});
