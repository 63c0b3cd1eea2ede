// `npm run eval`: generates seeded realistic traffic with labelled attacks and benign workflows,
// replays it through the product's rules (runReplay, on the local ClickHouse) and scores the
// alerts against the labels. Markdown report on stdout, progress on stderr; exit 1 when an
// attack was missed or something paged that should not have. See eval/README.md.
import { loadConfig } from '@denyscope/config';
import type { ReplayConfig } from '@denyscope/detector';
import { loadRuleSettings } from '@denyscope/detections';
import { createLogger } from '@denyscope/telemetry';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.js';
import { REPLAY_SECTIONS, type ReplayOutcome, replayLines } from './replay.js';
import { type RunInfo, renderReport, verdict } from './score/report.js';
import { type SeedScore, scoreSeed } from './score/score.js';
import { generateTraffic } from './traffic/generate.js';

const USAGE = `usage: npm run eval -- [--seeds 1,2,3] [--hours 2.5] [--accounts 400] [--step 60]
                        [--out <dir>] [--generate-only]`;

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    hours: { type: 'string', default: '2.5' },
    accounts: { type: 'string', default: '400' },
    step: { type: 'string', default: '60' },
    out: { type: 'string' },
    'generate-only': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`eval: ${message}\n${USAGE}\n`);
  process.exit(2);
}

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const seeds = values.seeds.split(',').map((s) => Number(s.trim()));
const hours = Number(values.hours);
const accounts = Number(values.accounts);
const stepSeconds = Number(values.step);
if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
  fail('--seeds: expected comma-separated non-negative integers');
}
if (!(hours > 0 && hours <= 48)) fail('--hours: expected a number in (0, 48]');
if (!(Number.isInteger(accounts) && accounts >= 100)) fail('--accounts: expected an integer ≥ 100');
if (!(stepSeconds >= 1)) fail('--step: expected seconds ≥ 1');
const generateOnly = values['generate-only'];
const out = values.out ?? (generateOnly ? 'eval/out' : undefined);

const log = (message: string) => process.stderr.write(`eval: ${message}\n`);

let config: ReplayConfig | null = null;
if (!generateOnly) {
  config = loadConfig(
    { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    REPLAY_SECTIONS,
  );
}
const settings = config === null ? null : loadRuleSettings({ file: config.detector.rulesFile });
const logger = createLogger({
  service: 'eval',
  level: config?.logLevel ?? 'warn',
  stream: 'stderr',
});

const scores: SeedScore[] = [];
let lineCount = 0;
let eventCount = 0;
let replaySeconds = 0;
for (const seed of seeds) {
  const started = performance.now();
  const traffic = generateTraffic({ seed, hours, accounts });
  const texts = traffic.lines.map((l) => l.text);
  const events = traffic.lines.filter((l) => l.kind === 'event').length;
  lineCount += texts.length;
  eventCount += events;
  log(
    `seed ${seed}: ${texts.length} lines, ${traffic.labels.length} labelled episodes, generated in ${Math.round(performance.now() - started)} ms`,
  );
  const dir = out === undefined ? null : join(out, `seed-${seed}`);
  if (dir !== null) {
    mkdirSync(dir, { recursive: true });
    await writeFile(
      join(dir, 'events.ndjson'),
      texts.map((t) => `${t}\n`),
    );
    await writeFile(join(dir, 'labels.json'), `${JSON.stringify(traffic.labels, null, 2)}\n`);
    log(`seed ${seed}: wrote ${dir}/events.ndjson and labels.json`);
  }
  if (config === null || settings === null) continue;

  let outcome: ReplayOutcome;
  try {
    outcome = await replayLines(texts, config, settings, logger, stepSeconds * 1000, log);
  } catch (error) {
    // A line the product cannot store is a finding of its own: name the seed (--out keeps it).
    log(`seed ${seed}: replay failed: ${(error as Error).message}`);
    process.exit(1);
  }
  replaySeconds += outcome.seconds;
  const { load } = outcome.result;
  log(
    `seed ${seed}: replayed ${load.events} events (${load.malformed} malformed) in ${Math.round(outcome.seconds)} s, ${outcome.alerts.length} alert lines`,
  );
  if (outcome.unreadable.length > 0) {
    log(
      `seed ${seed}: ${outcome.unreadable.length} printed lines are not alerts, e.g. ${outcome.unreadable[0]}`,
    );
    process.exitCode = 1;
  }
  const score = scoreSeed(seed, hours, traffic.labels, outcome.alerts);
  scores.push(score);
  if (dir !== null) {
    await writeFile(
      join(dir, 'alerts.ndjson'),
      outcome.alerts.map((a) => `${JSON.stringify(a)}\n`),
    );
    await writeFile(join(dir, 'score.json'), `${JSON.stringify(score, null, 2)}\n`);
  }
}

if (config !== null) {
  const info: RunInfo = {
    date: new Date().toISOString().slice(0, 10),
    seeds,
    hours,
    accounts,
    lines: lineCount,
    events: eventCount,
    machine: await describeMachine(config),
    replaySeconds,
    stepSeconds,
  };
  const report = renderReport(info, scores);
  process.stdout.write(report);
  if (out !== undefined) await writeFile(join(out, 'report.md'), report);
  if (!verdict(scores).ok) process.exitCode = 1;
}
