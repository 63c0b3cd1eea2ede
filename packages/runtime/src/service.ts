/**
 * What a started service gives back to whoever runs it (runService): a way to stop it, and its
 * exit code once it has stopped, whether it was asked to stop or stopped on its own.
 */
export interface Service {
  /**
   * Stops the service: stops taking work, finishes or hands back what is in flight, closes its
   * connections. Calling it again returns the same promise. Resolves with the exit code: `code`
   * (default 0), or another one the service chooses (ingest: 1 when its pending batch could not be
   * stored in the drain grace period). Rejects when the service could not stop cleanly.
   */
  stop(code?: number): Promise<number>;
  /**
   * Settles once the service has stopped, through stop() or on its own (ingest stops itself with
   * 1 on a batch it can never store), with the same outcome as stop().
   */
  readonly stopped: Promise<number>;
}

/**
 * A Service for one whose only life-cycle step is closing: `close` runs once, on the first
 * stop(), which then resolves with the code it was given (or rejects with close's error).
 */
export function serviceClosedBy(close: () => Promise<void>): Service {
  let stopping: Promise<number> | undefined;
  let settle: (outcome: Promise<number>) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (settle = resolve));
  // A caller that only ever awaits stop() must not see an unhandled rejection of `stopped`.
  stopped.catch(() => undefined);
  return {
    stopped,
    stop(code = 0) {
      stopping ??= close().then(() => code);
      settle(stopping);
      return stopping;
    },
  };
}
