import { runReporter } from '@denyscope/reporter';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
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
      let reporter;
      try {
        reporter = await runReporter(config, log);
      } catch (error) {
        log.fatal({ err: error }, 'reporter could not start');
        await shutdownTelemetry();
        process.exit(1);
      }
      const running = reporter;
      // Kept alive until a signal even when nothing is scheduled, so a supervisor sees a service.
      const idle = setInterval(() => undefined, 1 << 30);
      const stop = async (signal: string) => {
        log.info({ signal }, 'stopping reporter');
        clearInterval(idle);
        await running.stop();
        await shutdownTelemetry();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    });
}
