import { loadConfig } from '@denyscope/config';
import { loadRuleSettings } from '@denyscope/detections';
import { createLogger } from '@denyscope/telemetry';
import { stackEnv } from '@denyscope/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPLAY_SECTIONS, type ReplayOutcome, replayLines } from './replay.js';
import { renderReport, verdict } from './score/report.js';
import { type SeedScore, scoreSeed } from './score/score.js';
import { CLASS_IDS, EPISODE_CLASSES } from './traffic/episodes/catalog.js';
import { type Traffic, generateTraffic } from './traffic/generate.js';

// The evaluation end to end on a short profile: generated traffic through the product's replay
// (its own fresh ClickHouse database, dropped afterwards), alerts scored against the labels.
describe('evaluation, short profile (1 seed, 40 min of traffic, 120 accounts)', () => {
  const hours = 0.67;
  let traffic: Traffic;
  let outcome: ReplayOutcome;
  let score: SeedScore;

  beforeAll(async () => {
    traffic = generateTraffic({ seed: 20261207, hours, accounts: 120 });
    const config = loadConfig({ ...stackEnv, LOG_LEVEL: 'warn' }, REPLAY_SECTIONS);
    outcome = await replayLines(
      traffic.lines.map((l) => l.text),
      config,
      loadRuleSettings({ env: {} }),
      createLogger({ service: 'eval-test', level: 'warn', stream: 'stderr' }),
      60_000,
      () => undefined,
    );
    score = scoreSeed(20261207, hours, traffic.labels, outcome.alerts);
  }, 600_000);

  it('replays every line: events (duplicates and hostile ones included) stored, malformed ones refused', () => {
    const count = (kinds: string[]) => traffic.lines.filter((l) => kinds.includes(l.kind)).length;
    expect(outcome.unreadable).toEqual([]);
    expect(outcome.result.load.events).toBe(count(['event', 'duplicate', 'hostile']));
    expect(outcome.result.load.malformed).toBe(count(['malformed']));
    expect(outcome.alerts.length).toBeGreaterThan(0);
  });

  it('scores every attack and every benign class', () => {
    for (const cls of CLASS_IDS) {
      const outcomes =
        EPISODE_CLASSES[cls].kind === 'attack'
          ? score.attacks.filter((o) => o.label.class === cls)
          : score.benign.filter((o) => o.label.class === cls);
      expect(outcomes.length, cls).toBeGreaterThanOrEqual(1);
    }
    expect(score.attacks.every((o) => typeof o.found === 'boolean')).toBe(true);
    expect(score.benign.every((o) => Number.isInteger(o.falsePages))).toBe(true);
  });

  it('renders a report that names every class', () => {
    const report = renderReport(
      {
        date: '2026-12-07',
        seeds: [20261207],
        hours,
        accounts: 120,
        lines: traffic.lines.length,
        events: traffic.lines.filter((l) => l.kind === 'event').length,
        machine: 'test',
        replaySeconds: outcome.seconds,
        stepSeconds: 60,
      },
      [score],
    );
    for (const cls of CLASS_IDS) expect(report).toContain(`| ${cls} |`);
  });

  it('meets the target: every attack found, no page on benign traffic', () => {
    expect(verdict([score])).toEqual({ ok: true, problems: [] });
  });
});
