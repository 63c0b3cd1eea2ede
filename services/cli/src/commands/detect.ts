import { runDetector } from '@denyscope/detector';
import { runService } from '@denyscope/runtime';
import { createLogger } from '@denyscope/telemetry';
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
      await runService({ name: 'detector', log, start: () => runDetector(config, settings, log) });
    });
}
