import { isAtLeast, QUEUES, type Alert } from '@denyscope/alerts';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import { rows, waitFor } from '@denyscope/testkit';
import {
  alertSubjectId,
  expectedTotalsByKey,
  type GeneratedEvent,
  type ScenarioExpectation,
} from '@denyscope/scenarios';
import { Queue } from 'bullmq';
import { expect } from 'vitest';
import { chaosStack } from './chaos-stack.js';
import type { Pipeline } from './pipeline.js';
import {
  expectedKey,
  receivedKey,
  routedSinks,
  SINK_IDS,
  type SinkId,
  type StateChange,
} from './sinks.js';
import { isDenial, type ChaosStream } from './streams.js';

// ---------------------------------------------------------------------------------------------
// Every request_id stored, every request counted once.

export interface StoredCounts {
  /** Distinct request_ids in `denials`. */
  denials: number;
  /** sum(requests) of `request_totals` FINAL: replays folded. */
  requests: number;
}

export async function storedCounts(client: ClickHouseClient): Promise<StoredCounts> {
  const [d] = await rows<{ n: string }>(client, 'SELECT uniqExact(request_id) AS n FROM denials');
  const [r] = await rows<{ n: string }>(
    client,
    'SELECT sum(requests) AS n FROM request_totals FINAL',
  );
  return { denials: Number(d?.n ?? 0), requests: Number(r?.n ?? 0) };
}

/** Waits until ClickHouse holds as many denials and requests as `events` has. */
export async function waitStored(
  client: ClickHouseClient,
  events: readonly GeneratedEvent[],
  timeoutMs = 180_000,
): Promise<void> {
  const denials = events.filter(isDenial).length;
  await waitFor(
    `${events.length} requests and ${denials} denials stored`,
    () => storedCounts(client),
    (n) => n.requests >= events.length && n.denials >= denials,
    { timeoutMs, everyMs: 500 },
  );
}

/**
 * Exactly `events` are stored: every denial's request_id is in `denials` (and nothing else is),
 * and request totals, read with FINAL, equal the events per key: no loss, no double count.
 */
export async function expectAllStored(
  client: ClickHouseClient,
  events: readonly GeneratedEvent[],
): Promise<void> {
  const stored = new Set(
    (await rows<{ request_id: string }>(client, 'SELECT DISTINCT request_id FROM denials')).map(
      (r) => r.request_id,
    ),
  );
  const denials = events.filter(isDenial);
  const missing = denials.filter((e) => !stored.has(e.request_id)).map((e) => e.request_id);
  expect(missing.slice(0, 20), `${missing.length} denials missing`).toEqual([]);
  expect(stored.size, 'distinct request_ids in denials').toBe(denials.length);

  const totals = await rows<{ key_id: string; requests: string; denials: string }>(
    client,
    'SELECT key_id, sum(requests) AS requests, sum(denials) AS denials FROM request_totals FINAL GROUP BY key_id',
  );
  const byKey = new Map(
    totals.map((r) => [r.key_id, { requests: Number(r.requests), denials: Number(r.denials) }]),
  );
  expect(byKey, 'request totals per key (FINAL)').toEqual(expectedTotalsByKey(events));
  expect((await storedCounts(client)).requests, 'sum(requests) FINAL').toBe(events.length);
}

/** How many messages `topic` holds (all partitions). */
export async function messagesIn(pipeline: Pipeline, topic: string): Promise<number> {
  const admin = pipeline.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Kafka holds exactly `count` messages: the test's own producer stored nothing twice. */
export async function expectTopicHolds(pipeline: Pipeline, count: number): Promise<void> {
  expect(
    await messagesIn(pipeline, pipeline.topic),
    'messages in the source topic (producer side)',
  ).toBe(count);
}

// ---------------------------------------------------------------------------------------------
// Every state change notified once per sink, nothing else.

/** The incident state changes the detector recorded (version 0 rows are acknowledgements). */
export async function stateChanges(client: ClickHouseClient): Promise<StateChange[]> {
  const found = await rows<StateChange & { version: string | number }>(
    client,
    `SELECT alert_id, version, transition, severity, rule, key_id, client_ip, first_seen, last_seen
     FROM alerts FINAL WHERE version > 0 AND muted = 0 ORDER BY alert_id, version`,
  );
  return found.map((r) => ({ ...r, version: Number(r.version) }));
}

/** Incidents opened and not resolved yet, as recorded in the alerts table. */
export async function openIncidents(client: ClickHouseClient): Promise<number> {
  const [row] = await rows<{ n: string }>(
    client,
    `SELECT count() AS n FROM (
       SELECT alert_id, max(transition = 'resolved') AS resolved FROM alerts FINAL
       WHERE version > 0 GROUP BY alert_id
     ) WHERE resolved = 0`,
  );
  return Number(row?.n ?? 0);
}

/** For EventFeed's `until`: an incident is open and its opening reached the webhook. */
export function incidentOpenAndNotified(pipeline: Pipeline): () => Promise<boolean> {
  return async () =>
    pipeline.receivers().webhook.acknowledged().length > 0 &&
    (await openIncidents(pipeline.clickhouse())) > 0;
}

function matches(change: StateChange, expected: ScenarioExpectation): boolean {
  return (
    change.rule === expected.rule &&
    alertSubjectId(change.rule, change) === alertSubjectId(expected.rule, expected.subject)
  );
}

/** Keys of what each sink acknowledged (HTTP 2xx on a live connection, or a log-sink line). */
export function deliveredKeys(pipeline: Pipeline): Record<SinkId, string[]> {
  const receivers = pipeline.receivers();
  const logged = pipeline
    .output('notify')
    .split('\n')
    .filter((line) => line.includes('"sink":"log"') && line.includes('"msg":"alert"'))
    .map((line) => JSON.parse(line) as { version: number; alert: Alert })
    .map(({ alert, version }) => `${alert.alert_id}.v${version}`);
  return {
    webhook: receivers.webhook.acknowledged().map((d) => receivedKey('webhook', d)),
    pagerduty: receivers.pagerduty.acknowledged().map((d) => receivedKey('pagerduty', d)),
    slack: receivers.slack.acknowledged().map((d) => receivedKey('slack', d)),
    log: logged,
  };
}

export function expectedKeys(changes: readonly StateChange[]): Record<SinkId, string[]> {
  const keys: Record<SinkId, string[]> = { webhook: [], pagerduty: [], slack: [], log: [] };
  for (const change of changes) {
    for (const sink of routedSinks(change)) keys[sink].push(expectedKey(sink, change));
  }
  return keys;
}

/** Jobs that may still deliver something: waiting, delayed, active (stalled ones included). */
export async function pendingJobs(prefix: string): Promise<number> {
  const names = [QUEUES.alerts, ...SINK_IDS.map((id) => QUEUES.sink(id))];
  const queues = names.map(
    (name) => new Queue(name, { connection: { url: chaosStack.endpoints.REDIS_URL }, prefix }),
  );
  try {
    const counts = await Promise.all(
      queues.map((q) =>
        q.getJobCounts('active', 'wait', 'delayed', 'prioritized', 'waiting-children', 'paused'),
      ),
    );
    return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

export async function failedJobs(prefix: string): Promise<number> {
  const queues = [QUEUES.alerts, ...SINK_IDS.map((id) => QUEUES.sink(id))].map(
    (name) => new Queue(name, { connection: { url: chaosStack.endpoints.REDIS_URL }, prefix }),
  );
  try {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('failed')));
    return counts.reduce((sum, c) => sum + (c.failed ?? 0), 0);
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

/**
 * Waits until the detector finished an evaluation that started after `sinceMs`: after a fault
 * that stopped its ticks (a restarted detector waits up to lock + stalled check, 10 + 5 s, for
 * BullMQ to free the killed tick, the detect queue's global concurrency being 1; Redis down stops
 * every tick). The scenarios measure that blind time; the stream does not wait for it, since the
 * detector walks the windows that closed meanwhile (catch-up, docs/chaos.md findings 5 and 9).
 */
export async function waitDetectorEvaluating(
  pipeline: Pipeline,
  sinceMs: number,
  timeoutMs = 180_000,
): Promise<void> {
  const queue = new Queue(QUEUES.detect, {
    connection: { url: chaosStack.endpoints.REDIS_URL },
    prefix: pipeline.prefix,
  });
  try {
    await waitFor(
      'a detector evaluation started after the fault',
      async () => {
        const jobs = await queue.getJobs(['completed', 'failed'], 0, 20);
        return Math.max(0, ...jobs.map((job) => job.processedOn ?? 0));
      },
      (startedAt) => startedAt > sinceMs,
      { timeoutMs, everyMs: 500 },
    );
  } finally {
    await queue.close();
  }
}

interface Settled {
  changes: StateChange[];
  pending: number;
  missingAttacks: string[];
  undelivered: string[];
}

/**
 * Waits until detection and delivery are done: every attack's incident opened and resolved,
 * no notification job left to run, and every recorded state change acknowledged by each sink it
 * routes to. Nothing can be delivered after that, so the counts that follow are final.
 */
export async function waitNotificationsSettled(
  pipeline: Pipeline,
  stream: ChaosStream,
  timeoutMs = 240_000,
): Promise<StateChange[]> {
  const settled = await waitFor(
    'every attack opened and resolved, every state change delivered, no job left',
    async (): Promise<Settled> => {
      const changes = await stateChanges(pipeline.clickhouse());
      const missingAttacks = stream.attacks.flatMap((attack) =>
        attack.expect
          .filter(
            (e) =>
              !changes.some((c) => matches(c, e) && c.transition === 'opened') ||
              !changes.some((c) => matches(c, e) && c.transition === 'resolved'),
          )
          .map(() => attack.name),
      );
      const expected = expectedKeys(changes);
      const delivered = deliveredKeys(pipeline);
      const undelivered = SINK_IDS.flatMap((sink) =>
        expected[sink].filter((k) => !delivered[sink].includes(k)).map((k) => `${sink}:${k}`),
      );
      return { changes, pending: await pendingJobs(pipeline.prefix), missingAttacks, undelivered };
    },
    (s) => s.missingAttacks.length === 0 && s.undelivered.length === 0 && s.pending === 0,
    { timeoutMs, everyMs: 1_000 },
  );
  return settled.changes;
}

/**
 * The final notification checks: each recorded state change acknowledged exactly once by every
 * sink it routes to, nothing else delivered, no job failed, payloads well-formed, one incident per
 * attack, and nothing at medium or above about a benign subject.
 */
export async function expectNotifiedExactlyOnce(
  pipeline: Pipeline,
  stream: ChaosStream,
  changes: readonly StateChange[],
): Promise<void> {
  const expected = expectedKeys(changes);
  const delivered = deliveredKeys(pipeline);
  for (const sink of SINK_IDS) {
    expect([...delivered[sink]].sort(), `${sink}: one delivery per state change`).toEqual(
      [...expected[sink]].sort(),
    );
  }
  for (const r of Object.values(pipeline.receivers())) {
    expect(r.receiver.problems, `${r.id} payload problems`).toEqual([]);
  }
  expect(await failedJobs(pipeline.prefix), 'failed notification jobs').toBe(0);
  for (const attack of stream.attacks) {
    for (const e of attack.expect) {
      const mine = changes.filter((c) => matches(c, e));
      const ids = new Set(mine.map((c) => c.alert_id));
      const story = mine.map(
        (c) => `${c.alert_id} v${c.version} ${c.transition} (${c.first_seen} … ${c.last_seen})`,
      );
      expect(ids.size, `${attack.name}: one incident; got ${story.join('; ')}`).toBe(1);
    }
  }
  const benign = stream.scenarios.filter((s) => s.kind === 'benign');
  for (const scenario of benign) {
    const loud = changes.filter(
      (c) => scenario.expect.some((e) => matches(c, e)) && isAtLeast(c.severity, 'medium'),
    );
    expect(loud, `${scenario.name}: no alert`).toEqual([]);
  }
  expect(expected.webhook.length, 'state changes notified').toBeGreaterThanOrEqual(
    2 * stream.attacks.length,
  );
}

/**
 * The whole end-of-scenario check: stored exactly, notified exactly once. `events` are the valid
 * events produced (default: the stream's); `topicMessages` all messages produced, bad ones too.
 */
export async function expectNoLossNoDuplicate(
  pipeline: Pipeline,
  stream: ChaosStream,
  {
    events = stream.events,
    topicMessages = events.length,
  }: { events?: readonly GeneratedEvent[]; topicMessages?: number } = {},
): Promise<StateChange[]> {
  await expectTopicHolds(pipeline, topicMessages);
  await waitStored(pipeline.clickhouse(), events);
  await expectAllStored(pipeline.clickhouse(), events);
  const changes = await waitNotificationsSettled(pipeline, stream);
  await expectNotifiedExactlyOnce(pipeline, stream, changes);
  return changes;
}
