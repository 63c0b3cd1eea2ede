import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stackEndpoints, type StackEndpoints, type StackSettings } from './stack-env.js';

const STACK = fileURLToPath(new URL('../../../infra/stack/stack.sh', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

export type StackPart = 'kafka' | 'clickhouse' | 'redis';

export interface StackOptions {
  /**
   * Settings of the stack to act on (ports, state directory). Default: the shared local stack,
   * as configured by this process's environment.
   */
  env?: StackSettings;
  /** Default 180 s per call; the first `up` of a new stack directory copies the Kafka jars. */
  timeoutMs?: number;
}

/**
 * Starts or stops parts of a local stack, as `npm run stack:down -- clickhouse` would: `part`
 * names one part, a list names several, none means all of them.
 */
export async function stack(
  action: 'up' | 'down',
  part?: StackPart | readonly StackPart[],
  options: StackOptions = {},
): Promise<void> {
  const parts = part === undefined ? [] : typeof part === 'string' ? [part] : [...part];
  await run('bash', [STACK, action, ...parts], {
    timeout: options.timeoutMs ?? 180_000,
    env: { ...process.env, ...options.env },
  });
}

/** A second local stack on ports of its own, for tests that stop and restart its parts. */
export interface PrivateStack {
  /** What `stack.sh` reads: ports and state directory. */
  readonly settings: Readonly<Required<StackSettings>>;
  /** What the services read: pass them in a child service's environment. */
  readonly endpoints: StackEndpoints;
  up(part?: StackPart | readonly StackPart[]): Promise<void>;
  down(part?: StackPart | readonly StackPart[]): Promise<void>;
}

const SHARED_PORTS = new Set(['9092', '9093', '8123', '9000', '6379']);

/**
 * A private stack: same script, other ports and state directory. Refuses the shared stack's ports
 * and directory, so that stopping one of its parts can never stop a part other people use.
 */
export function privateStack(settings: Required<StackSettings>): PrivateStack {
  const dir = resolve(REPO_ROOT, settings.DENYSCOPE_STACK_DIR);
  const shared = [
    settings.KAFKA_PORT,
    settings.KAFKA_CONTROLLER_PORT,
    settings.CLICKHOUSE_HTTP_PORT,
    settings.CLICKHOUSE_TCP_PORT,
    settings.REDIS_PORT,
  ].filter((port) => SHARED_PORTS.has(port));
  if (shared.length > 0 || dir === resolve(REPO_ROOT, '.stack')) {
    throw new Error(
      `privateStack: ${shared.length > 0 ? `port ${shared.join(', ')}` : `directory ${dir}`} belongs to the shared stack`,
    );
  }
  const env = { ...settings, DENYSCOPE_STACK_DIR: dir };
  // Explicit endpoint variables in this process's environment must not redirect a private stack.
  const endpoints = stackEndpoints(settings);
  const options = { env, timeoutMs: 600_000 };
  return {
    settings: env,
    endpoints,
    up: (part) => stack('up', part, options),
    down: (part) => stack('down', part, options),
  };
}
