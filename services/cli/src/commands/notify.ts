import { runNotifier } from '@denyscope/notifier';
import { runService } from '@denyscope/runtime';
import { createLogger } from '@denyscope/telemetry';
import { Command } from 'commander';
import { configOrExit, preflightOrExit } from './shared.js';

export function notifyCommand(): Command {
  return new Command('notify')
    .description('deliver incident state changes to Slack, PagerDuty, signed webhooks and the log')
    .action(async () => {
      const config = configOrExit();
      const log = createLogger({ service: 'notifier', level: config.logLevel });
      await preflightOrExit(config, ['redis'], log);
      // Its stop lets running deliveries finish before the queues close.
      await runService({ name: 'notifier', log, start: () => runNotifier(config, log) });
    });
}
