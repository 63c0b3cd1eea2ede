import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { backoffDelay } from '@denyscope/runtime';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';

export interface ChildSpec {
  /** Shown before each of its log lines. */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export type SupervisorEvent =
  | { type: 'started'; name: string; pid: number; restarts: number }
  | { type: 'exited'; name: string; code: number | null; signal: NodeJS.Signals | null }
  | { type: 'restarting'; name: string; delayMs: number; attempt: number }
  | { type: 'killed'; name: string };

export interface SupervisorOptions {
  /** Every line a child writes, as it comes. */
  onLine: (name: string, line: string, stream: 'stdout' | 'stderr') => void;
  onEvent?: (event: SupervisorEvent) => void;
  /** How long a child may take to stop after SIGTERM before it gets SIGKILL. Default 30 s. */
  stopTimeoutMs?: number;
  backoff?: BackoffOptions;
  now?: () => number;
}

interface Managed {
  spec: ChildSpec;
  child: ChildProcess | null;
  exited: Promise<void>;
  startedAt: number;
  attempt: number;
  restarts: number;
  restartTimer: NodeJS.Timeout | null;
}

function pipeLines(
  stream: NodeJS.ReadableStream | null,
  onLine: (line: string) => void,
): Promise<void> {
  if (stream === null) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', onLine);
  return new Promise((resolve) => lines.once('close', resolve));
}

/**
 * Runs long-lived child processes: restarts one that exits on its own after a backoff, and stops
 * them all in reverse start order. Children get their own process group (`detached`), so the
 * terminal's Ctrl-C reaches only the supervisor, which then stops them one by one; otherwise
 * every child would get SIGINT at once and the order would be lost.
 */
export class Supervisor {
  private readonly children: Managed[] = [];
  private stopping = false;
  private readonly stopTimeoutMs: number;
  private readonly backoff: BackoffOptions;
  private readonly now: () => number;

  constructor(private readonly options: SupervisorOptions) {
    this.stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.now = options.now ?? Date.now;
  }

  /** Starts a child and keeps it running until `stop()`. */
  start(spec: ChildSpec): void {
    if (this.stopping) throw new Error('supervisor is stopping');
    const managed: Managed = {
      spec,
      child: null,
      exited: Promise.resolve(),
      startedAt: 0,
      attempt: 0,
      restarts: 0,
      restartTimer: null,
    };
    this.children.push(managed);
    this.launch(managed);
  }

  /** Pids of the children running now. */
  pids(): number[] {
    return this.children.flatMap((m) =>
      m.child?.pid !== undefined && m.child.exitCode === null && m.child.signalCode === null
        ? [m.child.pid]
        : [],
    );
  }

  private launch(managed: Managed): void {
    const { spec } = managed;
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    managed.child = child;
    managed.startedAt = this.now();
    const out = pipeLines(child.stdout, (line) => this.options.onLine(spec.name, line, 'stdout'));
    const err = pipeLines(child.stderr, (line) => this.options.onLine(spec.name, line, 'stderr'));
    const exit = new Promise<void>((resolve) => {
      child.once('error', (error) => {
        this.options.onLine(spec.name, `could not start: ${error.message}`, 'stderr');
        if (child.pid === undefined) resolve();
      });
      child.once('exit', (code, signal) => {
        this.options.onEvent?.({ type: 'exited', name: spec.name, code, signal });
        resolve();
      });
    });
    // Exit first, then the last lines: both are needed before a restart or a "stopped".
    managed.exited = Promise.all([exit, out, err]).then(() => this.exited(managed));
    if (child.pid !== undefined) {
      this.options.onEvent?.({
        type: 'started',
        name: spec.name,
        pid: child.pid,
        restarts: managed.restarts,
      });
    }
  }

  private exited(managed: Managed): void {
    if (this.stopping) return;
    if (this.now() - managed.startedAt >= this.backoff.resetAfterMs) managed.attempt = 0;
    managed.attempt += 1;
    const delayMs = backoffDelay(managed.attempt, this.backoff);
    this.options.onEvent?.({
      type: 'restarting',
      name: managed.spec.name,
      delayMs,
      attempt: managed.attempt,
    });
    managed.restartTimer = setTimeout(() => {
      managed.restartTimer = null;
      if (this.stopping) return;
      managed.restarts += 1;
      this.launch(managed);
    }, delayMs);
  }

  private async stopOne(managed: Managed): Promise<void> {
    if (managed.restartTimer !== null) {
      clearTimeout(managed.restartTimer);
      managed.restartTimer = null;
    }
    const child = managed.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) {
      await managed.exited;
      return;
    }
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      managed.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.options.onEvent?.({ type: 'killed', name: managed.spec.name });
      child.kill('SIGKILL');
      await managed.exited;
    }
  }

  /** Stops every child, last started first: SIGTERM, then SIGKILL after `stopTimeoutMs`. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const managed of this.children) {
      if (managed.restartTimer !== null) clearTimeout(managed.restartTimer);
    }
    for (const managed of [...this.children].reverse()) await this.stopOne(managed);
  }

  /** Second Ctrl-C: no more waiting. */
  killAll(): void {
    this.stopping = true;
    for (const managed of this.children) managed.child?.kill('SIGKILL');
  }
}

/** Runs a command to completion (e.g. migrations), its lines passed on; resolves to the exit code. */
export function runToCompletion(
  spec: ChildSpec,
  onLine: (name: string, line: string, stream: 'stdout' | 'stderr') => void,
): Promise<number> {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = pipeLines(child.stdout, (line) => onLine(spec.name, line, 'stdout'));
  const err = pipeLines(child.stderr, (line) => onLine(spec.name, line, 'stderr'));
  const exit = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      onLine(spec.name, `could not start: ${error.message}`, 'stderr');
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
  return Promise.all([exit, out, err]).then(([code]) => code);
}
