import { waitFor } from '@denyscope/testkit';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  expectNoLossNoDuplicate,
  incidentOpenAndNotified,
  openIncidents,
  waitDetectorEvaluating,
  waitStored,
} from './support/checks.js';
import { usePipeline } from './support/pipeline.js';
import { EventFeed } from './support/producer.js';
import { profile } from './support/profile.js';
import { deliveryHeld, holdDeliveries, receivedKey, releaseDeliveries } from './support/sinks.js';
import { chaosStream } from './support/streams.js';

const STATE_CHANGED = /"msg":"incident state changed"/g;

describe('chaos: detector and notifier SIGKILLed while incidents are open', () => {
  const pipeline = usePipeline({ name: 'svckill' });
  const stream = chaosStream(profile, 21);

  it('after restarts, every state change is notified once: none missing, none twice', async () => {
    pipeline.start('ingest');
    const detector = pipeline.start('detect');
    const notifier = pipeline.start('notify');
    const feed = new EventFeed(pipeline.producer(), stream.events);
    const client = pipeline.clickhouse();
    const receivers = pipeline.receivers();

    await feed.produce({
      share: 0.4,
      durationMs: profile.produceMs * 0.4,
      until: incidentOpenAndNotified(pipeline),
    });

    // The notifier, in the middle of a delivery: the receivers hold every request from now on,
    // so the one in flight when it dies is never answered (the notifier sends it again later).
    holdDeliveries(receivers);
    await feed.produce({
      share: 0.15,
      durationMs: profile.produceMs * 0.15,
      until: () => deliveryHeld(receivers),
    });
    await waitFor('a delivery in flight', () => Promise.resolve(deliveryHeld(receivers)), Boolean, {
      timeoutMs: 120_000,
    });
    // Deliveries answered just before the hold get a moment to record themselves (the ledger):
    // a kill in that instant would send them again, which is not what this kill is about.
    await sleep(1_000);
    const openAtNotifierKill = await openIncidents(client);
    await pipeline.kill(notifier);
    releaseDeliveries(receivers);
    const cut = Object.values(receivers).reduce((n, r) => n + r.held, 0);
    pipeline.start('notify');

    // The detector, in the middle of a tick. It is frozen (SIGSTOP) while a burst of the stream
    // (a tenth) comes in and is stored, so that a tick after the thaw may have several incidents
    // to change; the stream then goes on until the detector logs a change, and the kill follows
    // at once, before the tick saved the incidents (outputs first, state last) if it had more
    // than one change to make: the restarted detector then repeats them under the same IDs.
    detector.child.kill('SIGSTOP');
    await feed.produce({ share: 0.1, durationMs: 0 });
    await waitStored(client, feed.produced);
    const seen = (detector.output().match(STATE_CHANGED) ?? []).length;
    const changed = () => (detector.output().match(STATE_CHANGED) ?? []).length > seen;
    const openAtDetectorKill = await openIncidents(client);
    detector.child.kill('SIGCONT');
    const producing = feed.produce({ durationMs: profile.produceMs * 0.35, until: changed });
    await waitFor('the detector changing an incident', () => Promise.resolve(changed()), Boolean, {
      timeoutMs: 120_000,
      everyMs: 2,
    });
    await pipeline.kill(detector);
    const restartedAt = Date.now();
    await producing;
    pipeline.start('detect');
    // The stream goes on at once. The killed tick holds the detect queue until its lock expires
    // (10 s, checked every 5 s); the windows that close meanwhile, minutes of event time at the
    // suite's speed, are walked by the restarted detector's catch-up (docs/chaos.md, 5 and 9).
    const rest = feed.produce({ durationMs: profile.produceMs * 0.35 });
    await waitDetectorEvaluating(pipeline, restartedAt);
    const blindS = (Date.now() - restartedAt) / 1000;
    await rest;

    console.info(
      `chaos svckill: notifier killed with ${openAtNotifierKill} incident(s) open and ${cut} ` +
        `delivery(ies) in flight; detector killed right after logging a change, with ` +
        `${openAtDetectorKill} open, evaluating again ${blindS.toFixed(0)} s after its restart`,
    );
    expect(openAtNotifierKill, 'incidents open when the notifier died').toBeGreaterThan(0);
    expect(openAtDetectorKill, 'incidents open when the detector died').toBeGreaterThan(0);
    expect(cut, 'deliveries in flight when the notifier died').toBeGreaterThan(0);
    // Start-up, then at most lock (10 s) + one stalled check (5 s); it was 30–90 s.
    expect(blindS, 's until the restarted detector evaluates again').toBeLessThan(45);

    await expectNoLossNoDuplicate(pipeline, stream);
    // On the wire, each cut request came again after the restart, for the same state change.
    for (const r of Object.values(receivers)) {
      const acknowledged = r.acknowledged().map((d) => receivedKey(r.id, d));
      for (const delivery of r.cut) {
        expect(acknowledged, `${r.id}: the cut delivery, sent again`).toContain(
          receivedKey(r.id, delivery),
        );
      }
    }
    const changes = pipeline
      .output('detect')
      .split('\n')
      .filter((line) => line.includes('"msg":"incident state changed"'))
      .map((line) => {
        const { alertId, transition } = JSON.parse(line) as { alertId: string; transition: string };
        return `${alertId} ${transition}`;
      });
    console.info(
      `chaos svckill: the restarted detector repeated ${changes.length - new Set(changes).size} state change(s)`,
    );
  });
});
