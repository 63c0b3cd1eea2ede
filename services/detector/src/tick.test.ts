import { loadRuleSettings } from '@denyscope/detections';
import { createLogger } from '@denyscope/telemetry';
import { describe, expect, it } from 'vitest';
import type { CatchUpSettings } from './catch-up.js';
import type { IncidentState } from '@denyscope/incidents';
import { IncidentManager } from './incident-manager.js';
import { MemoryIncidentStore } from '@denyscope/incidents';
import { MemoryRuleProgressStore } from './rule-progress.js';
import { runTick } from './tick.js';

const MINUTE = 60_000;
const WALL = Date.UTC(2026, 11, 7, 12, 0);
const CATCH_UP: CatchUpSettings = { stepMs: MINUTE, maxMs: 6 * 60 * MINUTE, maxStepsPerTick: 30 };
const TOLERANCE = 5 * MINUTE;

/**
 * The tick's bookkeeping without ClickHouse: only foreign-access-success and pipeline-health are
 * enabled, and the query runner answers no rows (or throws for foreign-access-success's query, the
 * only one reading foreign_access), recording the window end of each foreign_access query. The
 * rules' SQL itself runs against ClickHouse in test/event-time-safety.int.test.ts.
 */
function harness() {
  const off = ['ID_ENUMERATION', 'DISTRIBUTED_ENUMERATION', 'CROSS_ENVIRONMENT', 'CROSS_TENANT'];
  const settings = loadRuleSettings({
    env: Object.fromEntries(
      [...off, 'STALE_RESOURCE_IDS'].map((rule) => [`RULE_${rule}_ENABLED`, 'false']),
    ),
  });
  const store = new MemoryIncidentStore();
  const progress = new MemoryRuleProgressStore();
  const state = { failing: false, foreignAccessAt: [] as number[], wall: WALL, read: WALL };
  const query = <T>(sql: string): Promise<T[]> => {
    if (sql.includes('FROM foreign_access')) {
      const end = /event_time <= toDateTime\((\d+)\)/.exec(sql)?.[1];
      state.foreignAccessAt.push(Number(end) * 1000);
      if (state.failing) return Promise.reject(new Error('Memory limit (for query) exceeded'));
    }
    return Promise.resolve([]);
  };
  const deps = {
    settings,
    store,
    manager: new IncidentManager(store, 15 * MINUTE),
    outputs: [],
    query,
    log: createLogger({ service: 'test', level: 'silent' }),
  };
  const tick = () =>
    runTick(
      deps,
      {
        current: () => Promise.resolve(new Date(state.read)),
        firstEvidence: () => Promise.resolve(null),
      },
      CATCH_UP,
      { futureToleranceMs: TOLERANCE, ruleFailureAlertAfter: 3, progress, now: () => state.wall },
    );
  return { deps, store, progress, state, tick };
}

function firing(rule: IncidentState['rule'], lastSeenMs: number): IncidentState {
  return {
    rule,
    subjectKey: 'key_id=key_1',
    subject: { key_id: 'key_1' },
    alertId: `${rule}-1`,
    episode: 1,
    version: 1,
    status: 'firing',
    severity: 'critical',
    env: 'production',
    window: {
      start: new Date(lastSeenMs - MINUTE).toISOString(),
      end: new Date(lastSeenMs).toISOString(),
    },
    firstSeen: new Date(lastSeenMs - MINUTE).toISOString(),
    lastSeen: new Date(lastSeenMs).toISOString(),
    summary: 'x',
    evidence: {},
  };
}

describe('runTick: event time held to wall time + DETECT_FUTURE_TOLERANCE_MS', () => {
  it('holds a watermark read 23 h ahead at the limit: a firing incident is not resolved', async () => {
    const { store, state, tick } = harness();
    await store.save(firing('foreign-access-success', WALL - 2 * MINUTE));
    state.read = WALL + 23 * 60 * MINUTE;
    const result = await tick();
    expect(result).toMatchObject({ watermark: new Date(WALL + TOLERANCE).toISOString() });
    expect((await store.listFiring()).map((s) => s.rule)).toEqual(['foreign-access-success']);
  });

  it('takes a saved watermark 23 h ahead (an older version) as the current one and evaluates now', async () => {
    const { store, state, progress, tick } = harness();
    await store.save(firing('foreign-access-success', WALL - 2 * MINUTE));
    await store.saveLastEvaluated(new Date(WALL + 23 * 60 * MINUTE));
    await progress.saveEvaluated(['foreign-access-success'], new Date(WALL + 23 * 60 * MINUTE));
    state.read = WALL - 2_000;
    await tick();
    // Windows end at the current watermark, not 23 h (or the tolerance) ahead of it.
    expect(state.foreignAccessAt).toEqual([WALL - 2_000]);
    expect(await store.lastEvaluated()).toEqual(new Date(WALL - 2_000));
    expect(await store.listFiring()).toHaveLength(1);
  });
});

describe('runTick: a rule that fails is evaluated again (fail closed)', () => {
  it('re-evaluates the failed windows from its last success and keeps its incidents', async () => {
    const { store, state, progress, tick } = harness();
    await tick(); // first tick: everything evaluated at WALL
    await store.save(firing('foreign-access-success', WALL));
    state.failing = true;
    for (const minute of [1, 2, 3]) {
      state.wall = state.read = WALL + minute * MINUTE;
      await tick();
    }
    // Tried once per tick from its last success; never counted as evaluated.
    expect(state.foreignAccessAt).toEqual([WALL, WALL + MINUTE, WALL + MINUTE, WALL + MINUTE]);
    expect((await progress.get(['foreign-access-success'])).get('foreign-access-success')).toEqual({
      evaluated: new Date(WALL),
      failures: 3,
      lastError: 'Memory limit (for query) exceeded',
    });
    expect(await store.listFiring()).toHaveLength(2); // its incident, and pipeline-health's
    const health = (await store.listFiring()).find((s) => s.rule === 'pipeline-health');
    expect(health).toMatchObject({
      subject: { component: 'rule:foreign-access-success' },
      severity: 'low',
      evidence: { failures: 3 },
    });

    state.failing = false;
    state.foreignAccessAt = [];
    state.wall = state.read = WALL + 4 * MINUTE;
    await tick();
    // Every window it missed, then the current one.
    expect(state.foreignAccessAt).toEqual([1, 2, 3, 4].map((m) => WALL + m * MINUTE));
    expect((await progress.get(['foreign-access-success'])).get('foreign-access-success')).toEqual({
      evaluated: new Date(WALL + 4 * MINUTE),
      failures: 0,
      lastError: '',
    });
  });

  it('raises pipeline-health only after DETECT_RULE_FAILURE_ALERT_AFTER failures in a row', async () => {
    const { store, state, tick } = harness();
    await tick();
    state.failing = true;
    for (const minute of [1, 2]) {
      state.wall = state.read = WALL + minute * MINUTE;
      await tick();
    }
    expect(await store.listFiring()).toEqual([]);
  });
});
