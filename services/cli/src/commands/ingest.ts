import { runIngest } from '@denyscope/ingest';
import { runService } from '@denyscope/runtime';
import { createLogger } from '@denyscope/telemetry';
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
      // A SIGTERM while ingest still waits for its source topic aborts the wait (exit 0).
      await runService({
        name: 'ingest',
        log,
        start: (signal) => runIngest(config, log, { signal }),
      });
    });
}
