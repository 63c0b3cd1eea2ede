import { QUEUES, type AlertNotification } from '@denyscope/alerts';
import { AlertsQueueOutput, AlertsTableOutput } from '@denyscope/incidents';
import { idEnumerationSequential, seededRandom } from '@denyscope/scenarios';
import {
  checkPagerDuty,
  startReceiver,
  startService,
  waitFor,
  type Receiver,
  type ServiceProcess,
} from '@denyscope/testkit';
import { Queue } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAt } from '../src/evaluation.js';
import { evaluationDeps, storeEvents, useDetectorSuite } from './support.js';

const MINUTE = 60_000;
const ROUTING_KEY = 'ack-routing-key-0123456789abcdef';

// `denyscope alerts ack` on a paging incident: the notifier sends PagerDuty the Events v2
// acknowledge for the incident's dedup key (the page stops escalating), once per state.
describe('acknowledging a page reaches PagerDuty', () => {
  const suite = useDetectorSuite('ackpage');
  const { cli, prefix } = suite;
  const scan = idEnumerationSequential({
    random: seededRandom(11),
    startMs: Date.UTC(2026, 10, 26, 9, 0),
    durationMs: 10 * MINUTE,
  });
  let queue: Queue<AlertNotification>;
  // The notifier's PagerDuty stand-in, which checks every event against the Events v2 shape.
  let pagerduty: Receiver;
  let notifier: ServiceProcess;

  beforeAll(async () => {
    queue = new Queue(QUEUES.alerts, { connection: suite.redis(), prefix });
    pagerduty = await startReceiver(checkPagerDuty(ROUTING_KEY), () => ({ status: 202 }));
    notifier = startService('notify', {
      ...suite.env,
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: `${pagerduty.url}/v2/enqueue`,
      NOTIFY_BACKOFF_MS: '200',
    });
    await storeEvents(suite.clickhouse(), scan.events);
  });

  afterAll(async () => {
    await notifier?.stop();
    await pagerduty?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  it('sends acknowledge with the dedup key of the trigger, once', async () => {
    const client = suite.clickhouse();
    const transitions = await evaluateAt(
      evaluationDeps(client, suite.redis(), prefix, [
        new AlertsTableOutput(client),
        new AlertsQueueOutput(queue),
      ]),
      new Date(scan.events.at(-1)!.ts + MINUTE),
    );
    const opened = transitions.find((t) => t.state.rule === 'id-enumeration');
    expect(opened?.transition).toBe('opened');
    const alertId = opened!.state.alertId;
    const events = () => pagerduty.accepted.map((d) => d.body as Record<string, unknown>);
    const untilReceived = (what: string, count: number) =>
      waitFor(
        what,
        () => Promise.resolve(events()),
        (e) => e.length === count,
        { timeoutMs: 30_000 },
      );
    await untilReceived('the trigger', 1);
    expect(events()[0]).toMatchObject({ event_action: 'trigger', dedup_key: alertId });

    const acked = await cli('alerts', 'ack', alertId, '--note', 'on it');
    expect(acked.stdout).toMatch(/acknowledged .* \(passed on to PagerDuty and the log\)/);
    await untilReceived('the acknowledge', 2);
    expect(events()[1]).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'acknowledge',
      dedup_key: alertId,
    });

    // A second ack of the same state is recorded, but PagerDuty is not told twice.
    expect((await cli('alerts', 'ack', alertId)).stdout).toMatch(/acknowledged/);
    await sleep(3_000);
    expect(events()).toHaveLength(2);
    expect(pagerduty.problems).toEqual([]);
    expect(notifier.child.exitCode, notifier.output().slice(-2_000)).toBeNull();
  });
});
