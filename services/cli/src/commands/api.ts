import { runApi } from '@denyscope/api';
import { runService } from '@denyscope/runtime';
import { createLogger } from '@denyscope/telemetry';
import { Command } from 'commander';
import { configOrExit, preflightOrExit } from './shared.js';

export function apiCommand(): Command {
  return new Command('api')
    .description('serve the HTTP API: incidents, mutes, reports, health and metrics')
    .action(async () => {
      const config = configOrExit();
      const log = createLogger({ service: 'api', level: config.logLevel });
      await preflightOrExit(config, ['clickhouse', 'redis', 'kafka'], log);
      await runService({ name: 'api', log, start: () => runApi(config, log) });
    });
}
