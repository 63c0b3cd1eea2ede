import { QUEUES, type AlertNotification } from '@denyscope/alerts';
import { subjectKeyOf } from '@denyscope/detections';
import { AlertsQueueOutput, AlertsTableOutput } from '@denyscope/incidents';
import { idEnumerationSequential, seededRandom } from '@denyscope/scenarios';
import { rows, stackEnv } from '@denyscope/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAt } from '../src/evaluation.js';
import { evaluationDeps, storeEvents, useDetectorSuite } from './support.js';

const MINUTE = 60_000;

describe('mutes and acknowledgements (Redis, ClickHouse, the CLI)', () => {
  const suite = useDetectorSuite('mute');
  const { cli, prefix } = suite;
  const scan = idEnumerationSequential({
    random: seededRandom(5),
    startMs: Date.UTC(2026, 10, 25, 9, 0),
    durationMs: 10 * MINUTE,
  });
  const key = scan.expect[0]!.subject.key_id!;
  let queue: Queue<AlertNotification>;

  beforeAll(async () => {
    queue = new Queue(QUEUES.alerts, { connection: { url: stackEnv.REDIS_URL }, prefix });
    await storeEvents(suite.clickhouse(), scan.events);
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  it('records a muted incident without notifying it; ack and unmute work from the CLI', async () => {
    const client = suite.clickhouse();
    const muted = await cli(
      'alerts',
      'mute',
      '--rule',
      'id-enumeration',
      '--key',
      key,
      '--for',
      '2h',
      '--reason',
      'pen test',
    );
    expect(muted.stdout).toMatch(/muted id-enumeration/);
    expect((await cli('alerts', 'mutes')).stdout).toMatch(/pen test/);

    const deps = evaluationDeps(client, suite.redis(), prefix, [
      new AlertsTableOutput(client),
      new AlertsQueueOutput(queue),
    ]);
    const transitions = await evaluateAt(deps, new Date(scan.events.at(-1)!.ts + MINUTE));
    expect(transitions.map((t) => [t.transition, t.state.rule])).toContainEqual([
      'opened',
      'id-enumeration',
    ]);
    const counts = await queue.getJobCounts();
    expect(
      Object.values(counts).reduce((sum, n) => sum + n, 0),
      JSON.stringify(counts),
    ).toBe(0);
    const [row] = await rows<{ muted: number; alert_id: string }>(
      client,
      "SELECT muted, alert_id FROM alerts FINAL WHERE rule = 'id-enumeration'",
    );
    expect(Number(row?.muted)).toBe(1);

    const list = await cli('alerts', 'list', '--json');
    const listed = list.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { alert_id: string; muted: number });
    expect(listed.map((a) => a.alert_id)).toContain(row?.alert_id);

    expect((await cli('alerts', 'ack', row!.alert_id, '--note', 'looking')).stdout).toMatch(
      /acknowledged/,
    );
    const [acked] = (await cli('alerts', 'list', '--json', '--rule', 'id-enumeration')).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { acknowledged: number; status: string });
    expect(Number(acked?.acknowledged)).toBe(1);
    expect(acked?.status).toBe('firing');

    // Every row of the alert (the opening and the acknowledgement) was recorded just now, not at
    // the 1970 that 18.16 gives an omitted JSONEachRow column.
    const recorded = await rows<{ at: string }>(
      client,
      `SELECT toUInt32(recorded_at) AS at FROM alerts WHERE alert_id = '${row!.alert_id}'`,
    );
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    for (const { at } of recorded) {
      expect(Math.abs(Number(at) - Date.now() / 1000)).toBeLessThan(600);
    }

    expect(
      (await cli('alerts', 'unmute', '--rule', 'id-enumeration', '--key', key)).stdout,
    ).toMatch(/unmuted/);
    expect(
      await deps.store.activeMute('id-enumeration', subjectKeyOf({ key_id: key }), new Date()),
    ).toBeNull();
    await expect(
      cli('alerts', 'mute', '--rule', 'nope', '--key', key, '--for', '1h', '--reason', 'x'),
    ).rejects.toThrow(/unknown rule/);
  });
});
