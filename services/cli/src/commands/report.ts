import { createClickHouseClient } from '@denyscope/clickhouse';
import {
  InvalidReportRequestError,
  REPORT_FORMATS,
  ensureDir,
  generateReport,
  isReportFormat,
  writeFileAtomic,
} from '@denyscope/reports';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
import { Command } from 'commander';
import { dirname } from 'node:path';
import { parseDuration } from './durations.js';
import { configOrExit } from './shared.js';

interface ReportOptions {
  account: string;
  since: string;
  until: string;
  format: string;
  out?: string;
}

function usageError(message: string): never {
  process.stderr.write(`denyscope report: ${message}\n`);
  process.exit(2);
}

/** `now`, or an RFC 3339 timestamp with a time zone. */
function parseUntil(text: string, now: Date): Date {
  if (text === 'now') return now;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    usageError(
      `--until: expected an RFC 3339 time like 2026-03-01T00:00:00Z, or now (got "${text}")`,
    );
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) usageError(`--until: not a valid time: "${text}"`);
  return date;
}

export function reportCommand(): Command {
  return new Command('report')
    .description(
      "write one account's ownership_denied report (keys, causes, remediation, daily trend) to stdout or a file",
    )
    .requiredOption('--account <id>', 'account ID the report is about')
    .option(
      '--since <duration>',
      'start of the period, this long before --until (e.g. 24h, 7d)',
      '7d',
    )
    .option('--until <time>', 'end of the period: RFC 3339 time or now', 'now')
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, 'html')
    .option(
      '--out <file>',
      'write to this file (atomically; missing folders are created) instead of stdout',
    )
    .action(async (options: ReportOptions) => {
      const config = configOrExit();
      if (!isReportFormat(options.format)) {
        usageError(
          `--format: expected one of ${REPORT_FORMATS.join(', ')} (got "${options.format}")`,
        );
      }
      const format = options.format;
      let sinceMs: number;
      try {
        sinceMs = parseDuration(options.since);
      } catch (error) {
        usageError(`--since: ${(error as Error).message}`);
      }
      const until = parseUntil(options.until, new Date());
      const since = new Date(until.getTime() - sinceMs);
      if (options.account.trim() === '') usageError('--account: must not be empty');

      const log = createLogger({
        service: 'report',
        level: config.logLevel === 'info' ? 'warn' : config.logLevel,
        stream: 'stderr',
      });
      const client = createClickHouseClient(config.clickhouse);
      try {
        const { body } = await generateReport(
          client,
          { accountId: options.account, since, until },
          format,
          { scan: { minIdsPerHour: config.reporter.scanMinIdsPerHour, minMissingShare: 0.8 } },
        );
        if (options.out === undefined) {
          process.stdout.write(body);
        } else {
          await ensureDir(dirname(options.out));
          await writeFileAtomic(options.out, body);
          process.stderr.write(`report written: ${options.out}\n`);
        }
      } catch (error) {
        if (error instanceof InvalidReportRequestError) usageError(error.message);
        log.fatal({ err: error }, 'report failed');
        process.exitCode = 1;
      } finally {
        await client.close();
        await shutdownTelemetry();
      }
    });
}
