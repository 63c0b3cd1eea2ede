import type { ClickHouseClient } from '@denyscope/clickhouse';
import { loadConfig } from '@denyscope/config';
import { loadEvents } from '@denyscope/intake';
import { createLogger } from '@denyscope/telemetry';
import {
  dropDatabase,
  migratedDatabase,
  stackEnv,
  testNames,
  waitFor,
  DENYSCOPE_BIN,
} from '@denyscope/testkit';
import { idEnumerationSequential, seededRandom, toNdjson } from '@denyscope/scenarios';
import { Queue } from 'bullmq';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS_QUEUE, reporterSection, runReporter, scheduledAt } from '../src/index.js';
import { SCHEDULE_PATTERNS, accountDirName, reportSchema } from '@denyscope/reports';

const DAY = 86_400_000;
const CLI = DENYSCOPE_BIN;

/**
 * The scheduled reporter as deployed (REPORT_SCHEDULE=daily): its job scheduler, its worker on a
 * real Redis, the reports it writes from a real ClickHouse, and the CLI's one-off `report --out`.
 */
describe('scheduled reports (BullMQ worker, Redis, ClickHouse)', () => {
  const names = testNames('schedrep');
  const prefix = `test-schedrep-${names.suffix}`;
  // The reported day is three days ago: a job due the next morning runs late, as after a
  // reporter outage. It must still report that day, not yesterday.
  const today = Math.floor(Date.now() / DAY) * DAY;
  const day = today - 3 * DAY;
  const dayName = new Date(day).toISOString().slice(0, 10);
  const scan = idEnumerationSequential({
    random: seededRandom(23),
    startMs: day + 10 * 3_600_000,
    durationMs: 20 * 60_000,
  });
  const account = scan.expect[0]!.subject.account_id!;
  let client: ClickHouseClient;
  let dir: string;
  let queue: Queue;

  beforeAll(async () => {
    client = await migratedDatabase(names.database);
    await loadEvents(Readable.from([toNdjson(scan.events)]), client, {
      environments: ['production', 'staging', 'sandbox', 'development'],
      envMarkers: undefined,
      maxMessageBytes: 262_144,
    });
    dir = await mkdtemp(join(tmpdir(), 'denyscope-scheduled-'));
    queue = new Queue(REPORTS_QUEUE, { connection: { url: stackEnv.REDIS_URL }, prefix });
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    await client?.close();
    await dropDatabase(names.database);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('takes the period from when the job was due, not from when it runs', () => {
    const due = Date.UTC(2026, 2, 4, 0, 5);
    const late = { timestamp: due + 2 * DAY, opts: { prevMillis: due } };
    expect(scheduledAt(late)).toEqual(new Date(due));
    const byHand = { timestamp: due - 60_000, opts: { delay: 60_000 } };
    expect(scheduledAt(byHand)).toEqual(new Date(due));
  });

  it('schedules the daily job and writes every format of the day the job was due for', async () => {
    const config = loadConfig(
      {
        ...stackEnv,
        CLICKHOUSE_DATABASE: names.database,
        BULLMQ_PREFIX: prefix,
        REPORT_SCHEDULE: 'daily',
        REPORTS_DIR: dir,
      },
      { reporter: reporterSection },
    );
    const reporter = await runReporter(config, createLogger({ service: 'test', level: 'silent' }));
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.pattern)).toEqual([SCHEDULE_PATTERNS.daily]);
      // What the scheduler enqueues at 00:05 UTC the day after, run now (two days late).
      await queue.add(
        'report-daily',
        { period: 'daily' },
        { prevMillis: day + DAY + 5 * 60_000, attempts: 1 },
      );
      const folder = join(dir, accountDirName(account));
      const files = await waitFor(
        'the scheduled reports',
        () => readdir(folder).catch(() => [] as string[]),
        (found) => found.length === 3,
        { timeoutMs: 60_000, everyMs: 250 },
      );
      expect(files.sort()).toEqual(['html', 'json', 'md'].map((f) => `${dayName}-daily.${f}`));
      const report = reportSchema.parse(
        JSON.parse(await readFile(join(folder, `${dayName}-daily.json`), 'utf8')),
      );
      expect(report.account_id).toBe(account);
      const denials = scan.events.filter((e) => e.status === 403 && e.error === 'ownership_denied');
      expect(report.totals.denials).toBe(denials.length);
    } finally {
      await reporter.stop();
    }
  });

  it('report --out creates the folders it writes into', async () => {
    const out = join(dir, 'by-hand', 'nested', 'report.json');
    const { stderr } = await promisify(execFile)(
      process.execPath,
      [
        CLI,
        'report',
        '--account',
        account,
        '--since',
        '1d',
        '--until',
        new Date(day + DAY).toISOString(),
        '--format',
        'json',
        '--out',
        out,
      ],
      { env: { ...process.env, ...stackEnv, CLICKHOUSE_DATABASE: names.database } },
    );
    expect(stderr).toContain(`report written: ${out}`);
    expect(reportSchema.parse(JSON.parse(await readFile(out, 'utf8'))).account_id).toBe(account);
  });
});
