import { quoteString } from '@denyscope/clickhouse';
import { AlertsTableOutput } from '@denyscope/incidents';
import { idEnumerationSequential, seededRandom } from '@denyscope/scenarios';
import { rows } from '@denyscope/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatchUpSettings } from '../src/catch-up.js';
import { RedisRuleProgressStore } from '../src/rule-progress.js';
import { runTick, type TickResult } from '../src/tick.js';
import { readFirstEvidence, readWatermark } from '../src/watermark.js';
import { evaluationDeps, storeEvents, useDetectorSuite } from './support.js';

const MINUTE = 60_000;
const DEFAULTS: CatchUpSettings = { stepMs: MINUTE, maxMs: 6 * 60 * MINUTE, maxStepsPerTick: 30 };

/**
 * An id-enumeration scan lies in ClickHouse entirely before the current watermark, as it does
 * when the detector starts after the attack was ingested, or was down (or blocked) while it
 * happened: three hours later the current watermark's windows no longer contain it.
 */
describe('detector catch-up: windows that closed while nothing was evaluated', () => {
  const suite = useDetectorSuite('catchup');
  const startMs = Date.UTC(2026, 10, 26, 9, 0);
  const scan = idEnumerationSequential({
    random: seededRandom(17),
    startMs,
    durationMs: 10 * MINUTE,
  });
  const key = scan.expect[0]!.subject.key_id!;
  const laterMs = startMs + 3 * 60 * MINUTE;

  beforeAll(async () => {
    await storeEvents(suite.clickhouse(), scan.events);
    // Traffic went on for three hours after the scan (only its watermark matters here).
    await suite.clickhouse().insert({
      table: 'ingest_watermarks',
      values: [{ topic: 'api-logs', partition: 0, max_event_time: Math.floor(laterMs / 1000) }],
      format: 'JSONEachRow',
    });
  });

  /** Ticks like the detect worker until caught up; returns the scan's transitions, in order. */
  async function detect(
    settings: CatchUpSettings,
    lastEvaluated: Date | null,
  ): Promise<{ ticks: TickResult[]; transitions: string[]; saved: Date | null }> {
    const client = suite.clickhouse();
    const prefix = suite.freshPrefix();
    await client.command({ query: 'TRUNCATE TABLE alerts' });
    const deps = evaluationDeps(client, suite.redis(), prefix, [new AlertsTableOutput(client)]);
    const { store, query } = deps;
    if (lastEvaluated !== null) await store.saveLastEvaluated(lastEvaluated);
    const watermarks = {
      current: () => readWatermark(query, { allowedLatenessMs: 2_000, maxWaitMs: 300_000 }),
      firstEvidence: (notBefore: Date) => readFirstEvidence(query, notBefore),
    };
    const ticks: TickResult[] = [];
    let behind = true;
    while (behind && ticks.length < 50) {
      const tick = await runTick(deps, watermarks, settings, {
        futureToleranceMs: 5 * MINUTE,
        ruleFailureAlertAfter: 3,
        progress: new RedisRuleProgressStore(suite.redis(), prefix),
      });
      ticks.push(tick);
      behind = 'behind' in tick && tick.behind;
    }
    const found = await rows<{ transition: string }>(
      client,
      `SELECT transition FROM alerts FINAL
       WHERE rule = 'id-enumeration' AND key_id = ${quoteString(key)} AND version > 0 ORDER BY version`,
    );
    return {
      ticks,
      transitions: found.map((r) => r.transition),
      saved: await store.lastEvaluated(),
    };
  }

  it('without catch-up, a detector that starts after the scan never sees it', async () => {
    const { transitions, ticks } = await detect({ ...DEFAULTS, maxMs: 0 }, null);
    expect(ticks).toHaveLength(1);
    expect(transitions).toEqual([]);
  });

  it('the first tick ever walks back to the oldest stored evidence and finds the scan', async () => {
    const { transitions, ticks, saved } = await detect(DEFAULTS, null);
    expect(transitions).toEqual(['opened', 'resolved']);
    // 3 h 2 min from the scan's first denial to the watermark in 1-min steps, 30 per tick.
    expect(ticks.length).toBeGreaterThan(5);
    expect(ticks.at(-1)).toMatchObject({ behind: false });
    expect(saved?.getTime()).toBe(laterMs - 2_000);
  });

  it('after a gap, walks the windows that closed in it', async () => {
    const { transitions } = await detect(DEFAULTS, new Date(startMs - 20 * MINUTE));
    expect(transitions).toEqual(['opened', 'resolved']);
  });

  it('a gap longer than DETECT_CATCHUP_MAX_MS is walked only over its end', async () => {
    const { transitions, ticks } = await detect(
      { ...DEFAULTS, maxMs: 60 * MINUTE },
      new Date(startMs - 20 * MINUTE),
    );
    expect(transitions).toEqual([]);
    expect(ticks.reduce((n, t) => n + ('evaluations' in t ? t.evaluations : 0), 0)).toBe(60);
  });
});
