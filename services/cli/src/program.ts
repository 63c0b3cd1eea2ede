import { Command } from 'commander';

// Each command is loaded only when it runs: `denyscope ingest` should not load the API server,
// BullMQ or the report renderer. That keeps a long-running service's memory to what it uses
// (about 30 MB less RSS for ingest) and its start-up short. Help lists every command.
const COMMANDS: Record<string, () => Promise<Command>> = {
  migrate: async () => (await import('./commands/migrate.js')).migrateCommand(),
  ingest: async () => (await import('./commands/ingest.js')).ingestCommand(),
  detect: async () => (await import('./commands/detect.js')).detectCommand(),
  notify: async () => (await import('./commands/notify.js')).notifyCommand(),
  replay: async () => (await import('./commands/replay.js')).replayCommand(),
  alerts: async () => (await import('./commands/alerts.js')).alertsCommand(),
  report: async () => (await import('./commands/report.js')).reportCommand(),
  reporter: async () => (await import('./commands/reporter.js')).reporterCommand(),
  api: async () => (await import('./commands/api.js')).apiCommand(),
  simulate: async () => (await import('./commands/simulate.js')).simulateCommand(),
  start: async () => (await import('./commands/start.js')).startCommand(),
};

/** The CLI with the named command only, or with every command when it names none we know. */
export async function buildProgram(commandName?: string): Promise<Command> {
  const program = new Command('denyscope')
    .description(
      "Watches an API platform's 403 ownership_denied answers and raises alerts when something is wrong.\n" +
        'Configuration comes from environment variables (see README.md).',
    )
    .showHelpAfterError();
  const load = commandName === undefined ? undefined : COMMANDS[commandName];
  const loaders = load === undefined ? Object.values(COMMANDS) : [load];
  for (const command of await Promise.all(loaders.map((loader) => loader()))) {
    program.addCommand(command);
  }
  return program;
}
