import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackEnv } from './stack-env.js';

/**
 * The `denyscope` command as npm installed it: the workspace root's `node_modules/.bin/denyscope`
 * (a link to services/cli/bin/denyscope.js). Found by walking up, so the testkit needs no
 * dependency on the CLI it starts.
 */
export const DENYSCOPE_BIN = installedBin('denyscope');

function installedBin(name: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed: run npm ci first`);
  }
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything the process wrote, for assertions and for failure messages. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `denyscope <command> [args]` as a real child process against the local stack. `nodeArgs`:
 * Node.js flags to run it with, e.g. ingest's deployed heap limit (`INGEST_NODE_ARGS`).
 */
export function startService(
  command: string,
  env: Record<string, string>,
  { nodeArgs = [], args = [] }: { nodeArgs?: readonly string[]; args?: readonly string[] } = {},
): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, DENYSCOPE_BIN, command, ...args], {
    env: { ...process.env, ...stackEnv, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    output: () => output,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
