import { randomInt } from 'node:crypto';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
import { Command } from 'commander';
import {
  fileSink,
  kafkaSink,
  parseSimulateOptions,
  runSimulator,
  type EventSink,
  type RawSimulateOptions,
} from '../simulator/index.js';
import { configOrExit, preflightOrExit } from './shared.js';

export function simulateCommand(): Command {
  return new Command('simulate')
    .description(
      'produce realistic API traffic with labelled attacks injected (an ID scan and a ' +
        'cross-environment leak every --attack-every), in live event time, to Kafka or NDJSON; ' +
        'each injected scenario is printed on stderr as a JSON line',
    )
    .option('--rate <events/s>', 'events per second (default: SIMULATE_RATE, 200)')
    .option('--duration <d>', 'stop after this long, e.g. 10s, 5m (default: until SIGINT/SIGTERM)')
    .option('--to <target>', 'kafka (KAFKA_BROKERS, KAFKA_TOPIC) or file (default: kafka)')
    .option('--out <file>', 'NDJSON file for --to file; - is stdout (default: -)')
    .option('--seed <n>', 'seed of the generated traffic (default: random, logged)')
    .option('--attack-every <d>', 'time between attack rounds; the first comes 5 s in', '3m')
    .action(async (raw: RawSimulateOptions) => {
      const config = configOrExit();
      const parsed = parseSimulateOptions(raw, config.simulator.rate, randomInt(0, 0xffff_ffff));
      if (!parsed.ok) {
        for (const error of parsed.errors) process.stderr.write(`denyscope simulate: ${error}\n`);
        process.exit(2);
      }
      const options = parsed.options;
      // stdout may carry the events (--out -): every log line goes to stderr.
      const log = createLogger({ service: 'simulator', level: config.logLevel, stream: 'stderr' });
      await preflightOrExit(config, ['kafka'], log);
      const controller = new AbortController();
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          log.info({ signal }, 'stopping simulator');
          controller.abort();
        });
      }
      let sink: EventSink;
      try {
        sink = options.to === 'kafka' ? await kafkaSink(config, log) : fileSink(options.out);
      } catch (error) {
        log.fatal({ err: error }, 'simulator could not start');
        await shutdownTelemetry();
        process.exit(1);
      }
      log.info(
        {
          to: sink.description,
          rate: options.rate,
          durationMs: options.durationMs,
          seed: options.seed,
          attackEveryMs: options.attackEveryMs,
        },
        'simulator running',
      );
      let code = 0;
      try {
        const result = await runSimulator(
          options,
          {
            sink,
            log,
            announce: (line) => process.stderr.write(`${JSON.stringify(line)}\n`),
          },
          controller.signal,
        );
        log.info({ ...result, target: options.rate }, 'simulator stopped');
      } catch (error) {
        log.fatal({ err: error }, 'simulator failed');
        code = 1;
      }
      await shutdownTelemetry();
      process.exit(code);
    });
}
