import { runIngest } from '@denyscope/ingest';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
import { Command } from 'commander';
import { configOrExit, preflightOrExit } from './shared.js';

export function ingestCommand(): Command {
  return new Command('ingest')
    .description(
      'consume API-response logs from Kafka and write denials and request totals to ClickHouse',
    )
    .action(async () => {
      const config = configOrExit();
      const log = createLogger({ service: 'ingest', level: config.logLevel });
      await preflightOrExit(config, ['kafka', 'clickhouse'], log);
      let ingest;
      try {
        ingest = await runIngest(config, log);
      } catch (error) {
        log.fatal({ err: error }, 'ingest could not start');
        await shutdownTelemetry();
        process.exit(1);
      }
      const running = ingest;
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          log.info({ signal }, 'signal received');
          void running.stop(0);
        });
      }
      const code = await running.stopped;
      await shutdownTelemetry();
      process.exit(code);
    });
}
