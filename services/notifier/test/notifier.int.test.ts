import { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { notificationJobId, QUEUES, type Severity } from '@denyscope/alerts';
import { stackEnv, waitFor } from '@denyscope/testkit';
import { sinkJobId, WEBHOOK_HEADERS, type SinkId } from '../src/index.js';
import { notificationFixture } from './fixtures.js';
import { notifierSetup, type NotifierSetup } from './notifier-setup.js';
import {
  checkPagerDuty,
  checkSlack,
  checkWebhook,
  startReceiver,
  type Answer,
  type Receiver,
} from './receivers.js';

const ROUTING_KEY = 'R0UTINGKEYintegration00000000000';
// The Standard Webhooks form (base64 of 32 bytes); the end-to-end test keeps a plain secret.
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw9zzOs6NgzLw=';
const SLACK_PATH = 'T00000000/B00000000/slackPathSecretXYZ';

interface World {
  setup: NotifierSetup;
  slack: Receiver;
  pagerduty: Receiver;
  webhook: Receiver;
}

let world: World | undefined;

/** Three receivers and a notifier setup pointing at them; `answers` scripts each receiver. */
async function createWorld(
  answers: Partial<Record<'slack' | 'pagerduty' | 'webhook', (n: number) => Answer>> = {},
  env: Record<string, string> = {},
): Promise<World> {
  const slack = await startReceiver(checkSlack, answers.slack);
  const pagerduty = await startReceiver(
    checkPagerDuty(ROUTING_KEY),
    answers.pagerduty ?? (() => ({ status: 202, body: '{"status":"success"}' })),
  );
  const webhook = await startReceiver(checkWebhook(WEBHOOK_SECRET), answers.webhook);
  const setup = notifierSetup({
    SLACK_WEBHOOK_URL: `${slack.url}/services/${SLACK_PATH}`,
    PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    PAGERDUTY_EVENTS_URL: `${pagerduty.url}/v2/enqueue`,
    WEBHOOK_URL: `${webhook.url}/denyscope`,
    WEBHOOK_SECRET,
    NOTIFY_BACKOFF_MS: '100',
    ...env,
  });
  world = { setup, slack, pagerduty, webhook };
  return world;
}

afterEach(async () => {
  if (world === undefined) return;
  const { setup, slack, pagerduty, webhook } = world;
  world = undefined;
  // Receivers first: a receiver sitting on a request would hold up the notifier's graceful stop.
  await Promise.all([slack.close(), pagerduty.close(), webhook.close()]);
  await setup.cleanup();
  expect(slack.problems.concat(pagerduty.problems, webhook.problems)).toEqual([]);
  // Secrets never reach the log: not the routing key, the webhook secret or the Slack URL path.
  const logText = setup.rawLogs.join('');
  for (const secret of [ROUTING_KEY, WEBHOOK_SECRET, 'slackPathSecretXYZ']) {
    expect(logText).not.toContain(secret);
  }
});

const logSinkAlerts = (setup: NotifierSetup) =>
  setup.logs.filter((line) => line.msg === 'alert' && line.sink === 'log');

function counts({ slack, pagerduty, webhook, setup }: World) {
  return {
    slack: slack.accepted.length,
    pagerduty: pagerduty.accepted.length,
    webhook: webhook.accepted.length,
    log: logSinkAlerts(setup).length,
  };
}

const ALL_SINKS: SinkId[] = ['slack', 'pagerduty', 'webhook', 'log'];

describe('notifier (BullMQ, real Redis)', () => {
  it('delivers opened, escalated and resolved once to every routed sink', async () => {
    const w = await createWorld();
    await w.setup.start();
    const steps = [
      notificationFixture('opened', 1, { severity: 'high' }),
      notificationFixture('escalated', 2, { severity: 'critical' }),
      notificationFixture('resolved', 3, { severity: 'critical' }),
    ];
    // One state change at a time, as the detector's ticks produce them.
    for (const [i, notification] of steps.entries()) {
      await w.setup.add(notification);
      const want = { slack: i + 1, pagerduty: i + 1, webhook: i + 1, log: i + 1 };
      await waitFor(
        'delivery to every sink',
        () => Promise.resolve(counts(w)),
        (c) => Object.entries(want).every(([sink, n]) => c[sink as keyof typeof c] === n),
        { timeoutMs: 10_000 },
      );
    }

    const events = w.pagerduty.accepted.map((d) => d.body as Record<string, unknown>);
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'trigger', 'resolve']);
    expect(new Set(events.map((e) => e.dedup_key))).toEqual(new Set(['id-enumeration-5f2c']));
    expect(
      w.webhook.accepted.map((d) => d.headers[WEBHOOK_HEADERS.transition.toLowerCase()]),
    ).toEqual(['opened', 'escalated', 'resolved']);
    expect(w.slack.accepted.map((d) => (d.body as { text: string }).text.slice(0, 10))).toEqual([
      '[HIGH] id-',
      '[CRITICAL]',
      '[RESOLVED]',
    ]);

    // An info alert reports, never pages: it is routed to the webhook and the log only.
    await w.setup.add(
      notificationFixture('opened', 1, {
        alert_id: 'stale-resource-ids-77aa',
        rule: 'stale-resource-ids',
        severity: 'info',
      }),
    );
    await waitFor(
      'the info alert',
      () => Promise.resolve(counts(w)),
      (c) => c.webhook === 4 && c.log === 4,
      {
        timeoutMs: 10_000,
      },
    );
    await waitFor('queues idle', () => w.setup.idle(ALL_SINKS), Boolean, { timeoutMs: 10_000 });
    expect(counts(w)).toEqual({ slack: 3, pagerduty: 3, webhook: 4, log: 4 });
    expect(w.pagerduty.requests).toHaveLength(3);
  }, 30_000);

  it('never delivers twice: repeated adds, a re-dispatch, and a restart mid-way', async () => {
    // A slow-ish webhook keeps deliveries in flight while the first notifier stops.
    const w = await createWorld({ webhook: () => ({ status: 200, delayMs: 300 }) });
    const first = await w.setup.start();
    const alerts = Array.from({ length: 6 }, (_, i) =>
      notificationFixture('opened', 1, {
        alert_id: `id-enumeration-dup${i}`,
        severity: 'high' as Severity,
      }),
    );
    for (const notification of alerts) {
      await w.setup.add(notification);
      await w.setup.add(notification); // the same job ID again: a no-op
    }
    // Stop while the webhook worker's four slots (NOTIFY_CONCURRENCY) are busy and two wait.
    await waitFor(
      'webhook requests in flight',
      () => Promise.resolve(w.webhook.requests.length),
      (n) => n >= 4,
      { timeoutMs: 10_000, everyMs: 20 },
    );
    await first.stop(); // lets running deliveries finish; the rest wait in Redis
    expect(w.webhook.accepted.length).toBeLessThan(alerts.length); // really stopped mid-way
    // While it is down: a duplicate add, and the same notification under another alerts-queue
    // job ID (a retried or doubled dispatch), which only the sink job IDs can catch.
    await w.setup.add(alerts[0]!);
    await w.setup.add(alerts[1]!, 'redispatch-of-dup1');
    await w.setup.start();
    await w.setup.add(alerts[2]!, 'redispatch-of-dup2');

    await waitFor(
      'every alert delivered',
      () => Promise.resolve(counts(w)),
      (c) => Object.values(c).every((n) => n >= alerts.length),
      { timeoutMs: 20_000 },
    );
    await waitFor('queues idle', () => w.setup.idle(ALL_SINKS), Boolean, { timeoutMs: 10_000 });
    expect(counts(w)).toEqual({ slack: 6, pagerduty: 6, webhook: 6, log: 6 });
    const delivered = w.webhook.accepted.map((d) => (d.body as { alert_id: string }).alert_id);
    expect(new Set(delivered).size).toBe(6);
    expect(w.webhook.requests).toHaveLength(6);
    expect(w.pagerduty.requests).toHaveLength(6);
    expect(w.slack.requests).toHaveLength(6);
  }, 45_000);

  it('retries 5xx (honouring Retry-After on 429) and gives up at once on 400', async () => {
    const w = await createWorld({
      slack: (n) => ({ status: n < 2 ? 500 : 200 }),
      pagerduty: (n) =>
        n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 202 },
      webhook: () => ({ status: 400, body: 'invalid_payload: no such hook' }),
    });
    await w.setup.start();
    const notification = notificationFixture('opened', 1);
    await w.setup.add(notification);

    const job = async (sink: SinkId) => {
      const found = await w.setup.sinkQueue(sink).getJob(sinkJobId(notification, sink));
      return { state: await found?.getState(), attemptsMade: found?.attemptsMade };
    };
    await waitFor(
      'slack delivered after two 500s',
      () => job('slack'),
      (j) => j.state === 'completed',
      {
        timeoutMs: 10_000,
      },
    );
    await waitFor(
      'pagerduty delivered after a 429',
      () => job('pagerduty'),
      (j) => j.state === 'completed',
      {
        timeoutMs: 10_000,
      },
    );
    await waitFor(
      'webhook failed',
      () => job('webhook'),
      (j) => j.state === 'failed',
      {
        timeoutMs: 10_000,
      },
    );

    expect(w.slack.requests).toHaveLength(3);
    expect(w.slack.accepted).toHaveLength(1);
    // BullMQ counts the successful attempt in attemptsMade too.
    expect(await job('slack')).toEqual({ state: 'completed', attemptsMade: 3 });
    const [limited, retried] = w.pagerduty.requests;
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950); // not the 100 ms backoff
    expect(w.pagerduty.accepted).toHaveLength(1);
    expect(w.webhook.requests).toHaveLength(1);
    expect(await job('webhook')).toEqual({ state: 'failed', attemptsMade: 1 });
    const rejected = w.setup.logs.find((line) => line.msg === 'delivery rejected; not retrying');
    expect(rejected).toMatchObject({
      level: 'error',
      sink: 'webhook',
      host: new URL(w.webhook.url).host,
      status: 400,
      response: 'invalid_payload: no such hook',
    });
  }, 30_000);

  it('a retried trigger does not reopen an incident resolved in the meantime', async () => {
    const w = await createWorld({
      pagerduty: (n) =>
        n === 0 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 202 },
    });
    await w.setup.start();
    await w.setup.add(notificationFixture('opened', 1));
    await waitFor(
      'the first trigger',
      () => Promise.resolve(w.pagerduty.requests.length),
      (n) => n === 1,
      {
        timeoutMs: 10_000,
      },
    );
    await w.setup.add(notificationFixture('resolved', 2));
    await waitFor(
      'the resolve, then the trigger retry',
      async () => {
        const job = await w.setup
          .sinkQueue('pagerduty')
          .getJob(sinkJobId(notificationFixture('opened', 1), 'pagerduty'));
        return job?.getState();
      },
      (state) => state === 'completed',
      { timeoutMs: 10_000 },
    );

    expect(
      w.pagerduty.accepted.map((d) => (d.body as { event_action: string }).event_action),
    ).toEqual(['resolve']);
    expect(
      w.setup.logs.find((line) => line.msg === 'superseded by a newer notification; skipped'),
    ).toMatchObject({
      sink: 'pagerduty',
      version: 1,
      latest: 2,
    });
    // Slack and the webhook are not PagerDuty: they got both states.
    await waitFor(
      'slack and webhook',
      () => Promise.resolve(counts(w)),
      (c) => c.slack === 2 && c.webhook === 2,
      {
        timeoutMs: 5_000,
      },
    );
  }, 20_000);

  it('a sink that hangs for 10 s delays only its own alerts', async () => {
    const w = await createWorld(
      { pagerduty: () => ({ status: 202, delayMs: 10_000 }) },
      { NOTIFY_HTTP_TIMEOUT_MS: '20000' },
    );
    await w.setup.start();
    // More alerts than PagerDuty's worker has slots (concurrency 4), so its queue backs up too.
    const alerts = Array.from({ length: 6 }, (_, i) =>
      notificationFixture('opened', 1, {
        alert_id: `id-enumeration-slow${i}`,
        severity: 'critical',
      }),
    );
    const started = Date.now();
    for (const notification of alerts) await w.setup.add(notification);

    await waitFor(
      'the other sinks',
      () => Promise.resolve(counts(w)),
      (c) => c.slack === 6 && c.webhook === 6 && c.log === 6,
      { timeoutMs: 2_000, everyMs: 50 },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(w.pagerduty.accepted).toHaveLength(0);
    expect(w.pagerduty.requests.length).toBeGreaterThan(0); // it is being called, just slowly
  }, 20_000);

  // Found by the chaos suite (docs/chaos.md, Redis down): when Redis goes away just after a
  // worker took a job, the job stays 'active' until the stalled-job check frees it, 30–90 s later.
  // The incident's next state change must wait for it, not go out first and get the held one
  // skipped as superseded (an 'opened' nobody would ever see).
  it('keeps an incident in order when an older state change is held up', async () => {
    const w = await createWorld();
    const webhookTransitions = (alertId: string) =>
      w.webhook.accepted
        .filter((d) => (d.body as { alert_id: string }).alert_id === alertId)
        .map((d) => d.headers[WEBHOOK_HEADERS.transition.toLowerCase()]);
    // Held before dispatch: A's 'opened' still waits in the alerts queue when 'escalated' comes.
    const a1 = notificationFixture('opened', 1, { alert_id: 'id-enumeration-held-a' });
    const a2 = notificationFixture('escalated', 2, {
      alert_id: 'id-enumeration-held-a',
      severity: 'critical',
    });
    await w.setup
      .queue(QUEUES.alerts)
      .add('alert', a1, { jobId: notificationJobId(a1), delay: 1_500 });
    await w.setup.add(a2);
    // Held at a sink: another worker took B's 'opened' off the webhook queue and sits on it.
    const b1 = notificationFixture('opened', 1, { alert_id: 'id-enumeration-held-b' });
    const b2 = notificationFixture('resolved', 2, { alert_id: 'id-enumeration-held-b' });
    await w.setup.sinkQueue('webhook').add('deliver', b1, { jobId: sinkJobId(b1, 'webhook') });
    const holder = new Worker(QUEUES.sink('webhook'), null, {
      connection: { url: stackEnv.REDIS_URL },
      prefix: w.setup.prefix,
      autorun: false,
    });
    const held = await holder.getNextJob('holder');
    expect(held?.id).toBe(sinkJobId(b1, 'webhook'));
    await w.setup.add(b2);

    await w.setup.start();
    await waitFor(
      "A's two state changes",
      () => Promise.resolve(webhookTransitions(a1.alert.alert_id)),
      (t) => t.length === 2,
      { timeoutMs: 10_000 },
    );
    expect(webhookTransitions(a1.alert.alert_id)).toEqual(['opened', 'escalated']);
    expect(webhookTransitions(b1.alert.alert_id), "B's resolve waits").toEqual([]);

    await held?.moveToWait('holder');
    await holder.close();
    await waitFor(
      "B's two state changes",
      () => Promise.resolve(webhookTransitions(b1.alert.alert_id)),
      (t) => t.length === 2,
      { timeoutMs: 10_000 },
    );
    expect(webhookTransitions(b1.alert.alert_id)).toEqual(['opened', 'resolved']);
  }, 30_000);
});
