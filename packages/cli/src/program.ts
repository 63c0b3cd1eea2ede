import { Command } from 'commander';
import { alertsCommand } from './commands/alerts.js';
import { apiCommand } from './commands/api.js';
import { detectCommand } from './commands/detect.js';
import { ingestCommand } from './commands/ingest.js';
import { migrateCommand } from './commands/migrate.js';
import { notifyCommand } from './commands/notify.js';
import { replayCommand } from './commands/replay.js';
import { reportCommand } from './commands/report.js';
import { reporterCommand } from './commands/reporter.js';
import { simulateCommand } from './commands/simulate.js';
import { startCommand } from './commands/start.js';

export function buildProgram(): Command {
  return new Command('denyscope')
    .description(
      "Watches an API platform's 403 ownership_denied answers and raises alerts when something is wrong.\n" +
        'Configuration comes from environment variables (see README.md).',
    )
    .showHelpAfterError()
    .addCommand(migrateCommand())
    .addCommand(ingestCommand())
    .addCommand(detectCommand())
    .addCommand(notifyCommand())
    .addCommand(replayCommand())
    .addCommand(alertsCommand())
    .addCommand(reportCommand())
    .addCommand(reporterCommand())
    .addCommand(apiCommand())
    .addCommand(simulateCommand())
    .addCommand(startCommand());
}
