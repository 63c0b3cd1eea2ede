// OpenTelemetry must start before the modules it observes are loaded (opentelemetry-js #3146,
// #4324), so this file imports only telemetry statically and everything else dynamically.
import { startTelemetry } from '@denyscope/telemetry';

const command = process.argv[2];
if (command !== undefined && !command.startsWith('-') && command !== 'help') {
  startTelemetry({ serviceName: `denyscope-${command}` });
}

const { buildProgram } = await import('./program.js');
await (await buildProgram(command)).parseAsync(process.argv);
