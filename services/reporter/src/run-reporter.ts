import {
  createClickHouseClient,
  quoteUInt,
  serverCapabilities,
  type ClickHouseClient,
} from '@denyscope/clickhouse';
import { redisConnectionOptions, type SharedConfig } from '@denyscope/config';
import { serviceClosedBy, type Service } from '@denyscope/runtime';
import type { Logger } from '@denyscope/telemetry';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { z } from 'zod';
import {
  InvalidReportRequestError,
  SCHEDULE_PATTERNS,
  accountDirName,
  buildReport,
  completedPeriod,
  ensureDir,
  renderReport,
  reportPath,
  writeFileAtomic,
  type SchedulePeriod,
} from '@denyscope/reports';
import { join } from 'node:path';
import type { ReporterConfig } from './config.js';

export const REPORTS_QUEUE = 'reports';
const SCHEDULER_ID = 'reports';

const jobData = z.object({ period: z.enum(['daily', 'weekly']) });

/** Accounts with at least one denial in [since, until). */
export async function accountsWithDenials(
  client: ClickHouseClient,
  since: Date,
  until: Date,
): Promise<string[]> {
  const result = await client.query({
    query: `SELECT DISTINCT account_id AS acct FROM denials
            WHERE event_time >= toDateTime(${quoteUInt(Math.floor(since.getTime() / 1000))})
              AND event_time < toDateTime(${quoteUInt(Math.ceil(until.getTime() / 1000))})
              AND account_id != ''
            ORDER BY acct`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ acct: string }>()).map((row) => row.acct);
}

export interface WrittenReports {
  accounts: number;
  files: string[];
  /** Accounts whose report may succeed on a retry (ClickHouse down, a full disk). */
  failed: string[];
  /** Accounts no report can be built for (a blank ID): logged and left out, never retried. */
  skipped: string[];
}

/**
 * Builds and writes the reports of one period: `<dir>/<account>/<YYYY-MM-DD>-<period>.<ext>`,
 * named by the first day of the period. Rewriting the same period replaces the files atomically.
 * One account never stops the others: an account no report can be built for (the request is
 * invalid, e.g. a blank account ID stored by an older ingest) is skipped and logged, and any
 * other failure is recorded in `failed` for the caller to retry.
 */
export async function writePeriodReports(
  client: ClickHouseClient,
  config: ReporterConfig,
  period: SchedulePeriod,
  range: { since: Date; until: Date },
  log: Logger,
): Promise<WrittenReports> {
  const accounts = config.accounts ?? (await accountsWithDenials(client, range.since, range.until));
  const day = range.since.toISOString().slice(0, 10);
  // Read once per client; a server that cannot answer fails the run, to be retried as a whole.
  const capabilities = await serverCapabilities(client);
  const written: WrittenReports = { accounts: accounts.length, files: [], failed: [], skipped: [] };
  for (const accountId of accounts) {
    try {
      const report = await buildReport(
        client,
        { accountId, ...range },
        {
          scan: { minIdsPerHour: config.scanMinIdsPerHour, minMissingShare: 0.8 },
          capabilities,
        },
      );
      await ensureDir(join(config.dir, accountDirName(accountId)));
      for (const format of config.formats) {
        const path = reportPath(config.dir, accountId, day, period, format);
        await writeFileAtomic(path, renderReport(report, format).body);
        written.files.push(path);
      }
    } catch (error) {
      // The account ID is customer data: under its own key, never in the message.
      if (error instanceof InvalidReportRequestError) {
        // Retrying cannot fix it, and it must not cost the other accounts their reports (a
        // blank account ID used to fail the whole period: issue 11).
        written.skipped.push(accountId);
        log.warn({ err: error, report: { accountId, period, day } }, 'report skipped');
        continue;
      }
      written.failed.push(accountId);
      log.error({ err: error, report: { accountId, period, day } }, 'report failed');
    }
  }
  return written;
}

/**
 * When a scheduled job was due: the period to report is the one completed then, not the one
 * completed when the job runs, which is later after a reporter outage, a backlog or a retry across
 * midnight (a job due Tuesday 00:05 and run Wednesday reports Monday, not Tuesday). BullMQ's job
 * scheduler records the due time in `prevMillis`; a job added by hand falls back to its creation
 * time plus its delay.
 */
export function scheduledAt(job: Pick<Job, 'opts' | 'timestamp'>): Date {
  return new Date(job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0));
}

/**
 * Scheduled per-account reports. Every instance upserts the same job scheduler on the `reports`
 * queue (one job per period cluster-wide, however many instances run) and runs a worker. With
 * REPORT_SCHEDULE=off nothing is scheduled and stop() is a no-op.
 */
export async function runReporter(
  config: SharedConfig & { reporter: ReporterConfig },
  log: Logger,
): Promise<Service> {
  const schedule = config.reporter.schedule;
  if (schedule === 'off') {
    log.info({ schedule }, 'scheduled reports off');
    return serviceClosedBy(() => Promise.resolve());
  }
  const prefix = config.redis.bullmqPrefix;
  // BullMQ opens and closes its own connections from these options. maxRetriesPerRequest: null
  // is required by workers (blocking commands must not be retried by ioredis).
  const connection: ConnectionOptions = {
    ...redisConnectionOptions(config.redis),
    maxRetriesPerRequest: null,
  };
  const clickhouse = createClickHouseClient(config.clickhouse);
  const queue = new Queue(REPORTS_QUEUE, { connection, prefix });
  queue.on('error', (error) => log.error({ err: error, queue: REPORTS_QUEUE }, 'queue error'));

  const worker = new Worker(
    REPORTS_QUEUE,
    async (job) => {
      const parsed = jobData.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError('invalid reports job data');
      const period = parsed.data.period;
      const range = completedPeriod(period, scheduledAt(job));
      const result = await writePeriodReports(clickhouse, config.reporter, period, range, log);
      log.info(
        {
          period,
          since: range.since.toISOString(),
          accounts: result.accounts,
          files: result.files.length,
          failed: result.failed.length,
          skipped: result.skipped.length,
        },
        'reports written',
      );
      // A retry rewrites every report of the period (atomically), which is harmless. Skipped
      // accounts do not fail the job: the period is done without them, not retried for them.
      if (result.failed.length > 0) {
        throw new Error(`${result.failed.length} of ${result.accounts} reports failed`);
      }
      return { accounts: result.accounts, files: result.files.length };
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('error', (error) => log.error({ err: error }, 'reports worker error'));
  worker.on('failed', (job, error) =>
    log.error({ err: error, jobId: job?.id }, 'reports job failed'),
  );

  // One scheduler ID whatever the period: switching daily ↔ weekly replaces the pattern.
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: SCHEDULE_PATTERNS[schedule], tz: 'UTC' },
    {
      name: `report-${schedule}`,
      data: { period: schedule },
      opts: {
        attempts: 3,
        backoff: { type: 'exponential', delay: 60_000 },
        removeOnComplete: 100,
        removeOnFail: 500,
      },
    },
  );
  log.info({ schedule, pattern: SCHEDULE_PATTERNS[schedule], prefix }, 'reporter running');

  return serviceClosedBy(async () => {
    await worker.close();
    await queue.close();
    await clickhouse.close();
  });
}
