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
      // Signals are handled from here on: a SIGTERM while ingest still waits for its source
      // topic ends it cleanly (exit 0) instead of by the signal's default (exit 143).
      const starting = new AbortController();
      let running: Awaited<ReturnType<typeof runIngest>> | undefined;
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          log.info({ signal }, 'signal received');
          if (running === undefined) starting.abort(new Error(`${signal} before ingest started`));
          else void running.stop(0);
        });
      }
      try {
        running = await runIngest(config, log, { signal: starting.signal });
      } catch (error) {
        if (starting.signal.aborted) {
          log.info({}, 'stopped before it started');
          await shutdownTelemetry();
          process.exit(0);
        }
        log.fatal({ err: error }, 'ingest could not start');
        await shutdownTelemetry();
        process.exit(1);
      }
      const code = await running.stopped;
      await shutdownTelemetry();
      process.exit(code);
    });
}
