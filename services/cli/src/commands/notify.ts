import { runNotifier } from '@denyscope/notifier';
import { createLogger, shutdownTelemetry } from '@denyscope/telemetry';
import { Command } from 'commander';
import { configOrExit, preflightOrExit } from './shared.js';

export function notifyCommand(): Command {
  return new Command('notify')
    .description('deliver incident state changes to Slack, PagerDuty, signed webhooks and the log')
    .action(async () => {
      const config = configOrExit();
      const log = createLogger({ service: 'notifier', level: config.logLevel });
      await preflightOrExit(config, ['redis'], log);
      let notifier;
      try {
        notifier = await runNotifier(config, log);
      } catch (error) {
        log.fatal({ err: error }, 'notifier could not start');
        await shutdownTelemetry();
        process.exit(1);
      }
      const running = notifier;
      const stop = async (signal: string) => {
        log.info({ signal }, 'stopping notifier: letting running deliveries finish');
        await running.stop();
        await shutdownTelemetry();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    });
}
