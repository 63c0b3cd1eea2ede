import { runDetector } from '@denyscope/detector';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
import { Command } from 'commander';
import { ruleSettingsOrExit } from './rules.js';
import { configOrExit, preflightOrExit } from './shared.js';

export function detectCommand(): Command {
  return new Command('detect')
    .description('run the detection rules on a schedule and open, escalate and resolve incidents')
    .action(async () => {
      const config = configOrExit();
      const settings = ruleSettingsOrExit(config);
      const log = createLogger({ service: 'detector', level: config.logLevel });
      await preflightOrExit(config, ['clickhouse', 'redis'], log);
      let detector;
      try {
        detector = await runDetector(config, settings, log);
      } catch (error) {
        log.fatal({ err: error }, 'detector could not start');
        await shutdownTelemetry();
        process.exit(1);
      }
      const running = detector;
      const stop = async (signal: string) => {
        log.info({ signal }, 'stopping detector');
        await running.stop();
        await shutdownTelemetry();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    });
}
