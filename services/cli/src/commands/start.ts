import { fileURLToPath } from 'node:url';
import { INGEST_NODE_ARGS } from '@denyscope/ingest';
import { Command } from 'commander';
import {
  Supervisor,
  endpointsBanner,
  localStackParts,
  prettyLine,
  runToCompletion,
  type SupervisorEvent,
} from '../supervisor/index.js';
import { ensureSourceTopic } from '../supervisor/source-topic.js';
import { ConnectionSetupError, preflight } from '../preflight/index.js';
import { configOrExit } from './shared.js';

const BIN = fileURLToPath(new URL('../../bin/denyscope.js', import.meta.url));
const STACK = fileURLToPath(new URL('../../../../infra/stack/stack.sh', import.meta.url));

/** Long-running services in start order (stopped in reverse). */
const SERVICES: readonly { name: string; command: string; nodeArgs?: readonly string[] }[] = [
  // A bounded heap keeps ingest's RSS flat under load: without it V8 lets old-space garbage grow
  // to several times the live set (about 65 MB) before collecting. See ingest's node-args.ts.
  { name: 'ingest', command: 'ingest', nodeArgs: INGEST_NODE_ARGS },
  { name: 'detector', command: 'detect' },
  { name: 'notifier', command: 'notify' },
  { name: 'api', command: 'api' },
  { name: 'reporter', command: 'reporter' },
];

function describe(event: SupervisorEvent): string {
  switch (event.type) {
    case 'started':
      return event.restarts === 0
        ? `started (pid ${event.pid})`
        : `restarted (pid ${event.pid}, restart ${event.restarts})`;
    case 'exited':
      return `exited (${event.signal ?? `code ${event.code ?? '?'}`})`;
    case 'restarting':
      return `restarting in ${(event.delayMs / 1000).toFixed(1)} s`;
    case 'killed':
      return 'did not stop in time: SIGKILL';
  }
}

export function startCommand(): Command {
  return new Command('start')
    .description(
      'start the local stack (for endpoints not configured), apply migrations, then run ingest, ' +
        'detect, notify, api and the reporter and, on the local stack, the ' +
        'traffic simulator, under one supervisor; Ctrl-C stops everything',
    )
    .option('--no-simulate', 'do not run the traffic simulator')
    .action(async (opts: { simulate: boolean }) => {
      const config = configOrExit();
      const color = process.stdout.isTTY;
      const width = 9;
      const print = (name: string, line: string): void => {
        process.stdout.write(`${prettyLine(name, line, { color, nameWidth: width })}\n`);
      };
      const say = (line: string): void => print('start', line);

      const parts = localStackParts(process.env);
      if (parts.length > 0) {
        say(`starting the local stack: ${parts.join(', ')}`);
        const args = parts.length === 3 ? [STACK, 'up'] : [STACK, 'up', ...parts];
        const code = await runToCompletion({ name: 'stack', command: 'bash', args }, print);
        if (code !== 0) {
          say('the local stack did not come up (logs: .stack/logs/)');
          process.exit(1);
        }
      } else {
        say('KAFKA_BROKERS, CLICKHOUSE_URL and REDIS_URL are set: no local stack started');
      }

      // Wrong credentials or TLS settings stop here, once, instead of every child crash-looping.
      try {
        await preflight(config, ['kafka', 'clickhouse', 'redis'], {
          warn: (_, line) => say(line),
        });
      } catch (error) {
        if (!(error instanceof ConnectionSetupError)) throw error;
        say(error.message);
        process.exit(2);
      }

      const migrated = await runToCompletion(
        { name: 'migrate', command: process.execPath, args: [BIN, 'migrate'] },
        print,
      );
      if (migrated !== 0) {
        say('migrations failed; nothing started');
        process.exit(1);
      }

      say(`topic ${config.kafka.topic}: ${await ensureSourceTopic(config)}`);

      const supervisor = new Supervisor({
        onLine: print,
        onEvent: (event) => print(event.name, describe(event)),
      });
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) {
          say(`${signal} again: killing every child now`);
          supervisor.killAll();
          return;
        }
        stopping = true;
        say(`${signal}: stopping (last started first; Ctrl-C again to kill)`);
        void supervisor.stop().then(() => {
          say('stopped');
          process.exit(0);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);

      const running = { api: true, reporter: true, simulator: false };
      for (const service of SERVICES) {
        supervisor.start({
          name: service.name,
          command: process.execPath,
          args: [...(service.nodeArgs ?? []), BIN, service.command],
        });
      }
      // Only into a Kafka this command started itself: never demo traffic into a real one.
      if (opts.simulate && parts.includes('kafka')) {
        running.simulator = true;
        supervisor.start({ name: 'simulator', command: process.execPath, args: [BIN, 'simulate'] });
      }
      for (const line of endpointsBanner(config, running)) say(line);
    });
}
