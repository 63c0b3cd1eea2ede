import { Command } from 'commander';
import { ingestCommand } from './commands/ingest.js';
import { migrateCommand } from './commands/migrate.js';
import { replayCommand } from './commands/replay.js';

export function buildProgram(): Command {
  return new Command('denyscope')
    .description(
      "Watches an API platform's 403 ownership_denied answers and raises alerts when something is wrong.\n" +
        'Configuration comes from environment variables (see README.md).',
    )
    .showHelpAfterError()
    .addCommand(migrateCommand())
    .addCommand(ingestCommand())
    .addCommand(replayCommand());
}
