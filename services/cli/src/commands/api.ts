import { runApi } from '@denyscope/api';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
import { Command } from 'commander';
import { configOrExit, preflightOrExit } from './shared.js';

export function apiCommand(): Command {
  return new Command('api')
    .description('serve the HTTP API: incidents, mutes, reports, health and metrics')
    .action(async () => {
      const config = configOrExit();
      const log = createLogger({ service: 'api', level: config.logLevel });
      await preflightOrExit(config, ['clickhouse', 'redis', 'kafka'], log);
      let api;
      try {
        api = await runApi(config, log);
      } catch (error) {
        log.fatal({ err: error }, 'api could not start');
        await shutdownTelemetry();
        process.exit(1);
      }
      const running = api;
      const stop = async (signal: string) => {
        log.info({ signal }, 'stopping api');
        let code = 0;
        try {
          await running.stop();
        } catch (error) {
          log.error({ err: error }, 'api did not stop cleanly');
          code = 1;
        }
        await shutdownTelemetry();
        process.exit(code);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    });
}
