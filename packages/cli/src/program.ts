import { Command } from 'commander';
import { ingestCommand } from './commands/ingest.js';
import { migrateCommand } from './commands/migrate.js';

export function buildProgram(): Command {
  return new Command('denyscope')
    .description(
      "Watches an API platform's 403 ownership_denied answers: ingests API-response logs from Kafka into ClickHouse.\n" +
        'Configuration comes from environment variables (see README.md).',
    )
    .showHelpAfterError()
    .addCommand(migrateCommand())
    .addCommand(ingestCommand());
}
