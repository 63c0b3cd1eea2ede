import { migrate } from '@denyscope/clickhouse';
import { redactUrlPassword } from '@denyscope/config';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
import { Command } from 'commander';
import { configOrExit, preflightOrExit } from './shared.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description(
      'create the ClickHouse database and apply pending migrations (safe to run concurrently)',
    )
    .action(async () => {
      const config = configOrExit();
      const log = createLogger({ service: 'migrate', level: config.logLevel });
      await preflightOrExit(config, ['clickhouse'], log);
      try {
        const result = await migrate(config.clickhouse, {
          retentionDays: config.clickhouse.retentionDays,
          cluster: config.clickhouse.cluster,
          log: (fields, message) => log.info(fields, message),
        });
        log.info(
          {
            database: config.clickhouse.database,
            cluster: config.clickhouse.cluster?.name ?? null,
            ...result,
          },
          'migrations up to date',
        );
      } catch (error) {
        // CLICKHOUSE_URL may embed the password.
        const url = redactUrlPassword(config.clickhouse.url);
        log.fatal({ err: error, url }, 'migration failed');
        process.exitCode = 1;
      } finally {
        await shutdownTelemetry();
      }
    });
}
