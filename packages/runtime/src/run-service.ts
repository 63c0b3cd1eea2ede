import { shutdownTelemetry as shutdownOpenTelemetry, type Logger } from '@denyscope/telemetry';
import type { Service } from './service.js';

/**
 * The life cycle of a long-running command (ingest, detect, notify, api, reporter), in one place:
 *
 * - SIGTERM and SIGINT are each handled once (a second one of the same kind takes its default
 *   action, so a stuck stop can still be cut short); either asks for one stop.
 * - A signal before `start` has finished aborts it through the AbortSignal it is given: a start
 *   that gives up (rejects) ends the process with 0 and "stopped before it started"; a start that
 *   finishes anyway is stopped at once, like after a signal.
 * - `start` rejecting otherwise: "<name> could not start" (fatal), exit 1.
 * - A signal after start calls service.stop(0); the exit code is then the service's, and a stop
 *   that rejects is logged ("<name> did not stop cleanly") and exits 1. A service that stops on
 *   its own (Service.stopped) exits with its code the same way.
 * - The process is kept alive until then (a service may hold no timer or socket: the reporter
 *   with nothing scheduled), and telemetry is shut down before every exit.
 *
 * Configuration, preflight checks and the logger stay with the caller (they are the CLI's, and
 * exit 2 before anything has started).
 */
export interface RunServiceOptions {
  /** Names the service in log lines: "<name> could not start". */
  name: string;
  log: Logger;
  /** Starts the service; should give up (reject) when `signal` is aborted, if it can wait long. */
  start: (signal: AbortSignal) => Promise<Service>;
  /** Ends the process; tests pass a recorder. */
  exit?: (code: number) => void;
  /** Flushes and stops telemetry; tests pass a recorder. */
  shutdownTelemetry?: () => Promise<unknown>;
  /** Where SIGTERM and SIGINT come from; tests pass an EventEmitter. */
  signals?: SignalSource;
}

export interface SignalSource {
  once(event: StopSignal, listener: () => void): unknown;
  off(event: StopSignal, listener: () => void): unknown;
}

type StopSignal = 'SIGTERM' | 'SIGINT';
const STOP_SIGNALS: readonly StopSignal[] = ['SIGTERM', 'SIGINT'];

/** Runs the service until it stops, then exits with its code; resolves with that code. */
export async function runService({
  name,
  log,
  start,
  exit = (code) => process.exit(code),
  shutdownTelemetry = shutdownOpenTelemetry,
  signals = process,
}: RunServiceOptions): Promise<number> {
  const starting = new AbortController();
  let service: Service | undefined;
  let signalled = false;
  let stopOutcome: Promise<number> | undefined;
  let stopRequested: (outcome: Promise<number>) => void = () => undefined;
  const stopResult = new Promise<number>((resolve) => (stopRequested = resolve));

  const requestStop = (running: Service) => {
    if (stopOutcome !== undefined) return;
    log.info({}, `stopping ${name}`);
    stopOutcome = running.stop(0);
    stopRequested(stopOutcome);
  };
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      log.info({ signal }, 'signal received');
      signalled = true;
      if (service === undefined) starting.abort(new Error(`${signal} before ${name} started`));
      else requestStop(service);
    };
    signals.once(signal, listener);
    return { signal, listener };
  });
  // Nothing else may hold the event loop open while the service runs (see the header).
  const keepAlive = setInterval(() => undefined, 1 << 30);

  const finish = async (code: number) => {
    for (const { signal, listener } of listeners) signals.off(signal, listener);
    clearInterval(keepAlive);
    await shutdownTelemetry().catch((error: unknown) =>
      log.warn({ err: error }, 'telemetry shutdown failed'),
    );
    exit(code);
    return code;
  };

  try {
    service = await start(starting.signal);
  } catch (error) {
    if (starting.signal.aborted) {
      log.info({}, 'stopped before it started');
      return finish(0);
    }
    log.fatal({ err: error }, `${name} could not start`);
    return finish(1);
  }
  if (signalled) requestStop(service);

  let code: number;
  try {
    code = await Promise.race([service.stopped, stopResult]);
  } catch (error) {
    log.error({ err: error }, `${name} did not stop cleanly`);
    code = 1;
  }
  return finish(code);
}
