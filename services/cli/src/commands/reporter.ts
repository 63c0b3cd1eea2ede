import { runReporter } from '@denyscope/reporter';
import { runService } from '@denyscope/runtime';
import { createLogger } from '@denyscope/telemetry';
import { Command } from 'commander';
import { configOrExit, preflightOrExit } from './shared.js';

export function reporterCommand(): Command {
  return new Command('reporter')
    .description(
      'write scheduled per-account reports into REPORTS_DIR (REPORT_SCHEDULE daily|weekly; with off it idles)',
    )
    .action(async () => {
      const config = configOrExit();
      const log = createLogger({ service: 'reporter', level: config.logLevel });
      await preflightOrExit(config, ['clickhouse', 'redis'], log);
      // With nothing scheduled it still runs until a signal (runService keeps the process alive),
      // so a supervisor sees a service.
      await runService({ name: 'reporter', log, start: () => runReporter(config, log) });
    });
}
