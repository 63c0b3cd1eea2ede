import { replayReport, runReplay } from '@denyscope/detector';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
import { Command } from 'commander';
import { createReadStream, existsSync } from 'node:fs';
import { parseDuration } from './durations.js';
import { ensureLocalClickHouse } from './local-stack.js';
import { ruleSettingsOrExit } from './rules.js';
import { configOrExit } from './shared.js';

export function replayCommand(): Command {
  return new Command('replay')
    .description(
      'replay v1 events (NDJSON) through parse, classify and detection in a fresh ClickHouse database; prints every alert state change on stdout',
    )
    .argument('<file>', 'NDJSON file of v1 events, or - for standard input')
    .option('--summary', 'print the number of alerts per rule on stderr at the end')
    .option('--step <duration>', 'event time between two evaluations', parseDuration, 60_000)
    .option('--keep-database', 'keep the replay database instead of dropping it at the end')
    .option('--rules-file <file>', 'rule settings to replay with (default: RULES_FILE)')
    .option(
      '--compare <file>',
      'what-if: also replay with these rule settings ("defaults" for the catalog defaults) and print the incidents each rule set opens that the other does not, instead of the alerts',
    )
    .action(
      async (
        file: string,
        options: {
          summary?: boolean;
          step: number;
          keepDatabase?: boolean;
          rulesFile?: string;
          compare?: string;
        },
      ) => {
        const config = configOrExit();
        const settings = ruleSettingsOrExit(config, options.rulesFile);
        const compare =
          options.compare === undefined
            ? undefined
            : {
                baseline: ruleSettingsOrExit(
                  config,
                  options.compare === 'defaults' ? null : options.compare,
                ),
                names: {
                  baseline: options.compare === 'defaults' ? 'catalog defaults' : options.compare,
                  candidate: options.rulesFile ?? config.detector.rulesFile ?? 'catalog defaults',
                },
              };
        if (file !== '-' && !existsSync(file)) {
          process.stderr.write(`denyscope replay: no such file: ${file}\n`);
          process.exit(2);
        }
        const log = createLogger({
          service: 'replay',
          level: config.logLevel === 'info' ? 'warn' : config.logLevel,
          stream: 'stderr',
        });
        try {
          await ensureLocalClickHouse(config);
          const result = await runReplay(config, settings, log, {
            input: file === '-' ? process.stdin : createReadStream(file),
            stepMs: options.step,
            keepDatabase: options.keepDatabase ?? false,
            writeOut: (line) => process.stdout.write(line),
            writeErr: (line) => process.stderr.write(line),
            progress: process.stderr.isTTY,
            ...(compare === undefined ? {} : { compare }),
          });
          process.stderr.write(replayReport(result, options.summary ?? false));
          if (options.keepDatabase)
            process.stderr.write(`replay database kept: ${result.database}\n`);
        } catch (error) {
          log.fatal({ err: error }, 'replay failed');
          process.exitCode = 1;
        } finally {
          await shutdownTelemetry();
        }
      },
    );
}
