import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '@denyscope/runtime';

/**
 * Calls `operation` until it succeeds, waiting longer after each retriable failure: retry 1 waits
 * about `initialMs`, doubling up to `maxMs`, with jitter so ingest replicas that failed together
 * do not retry together. A failure that `isRetriable` rejects, or an abort, ends the loop with
 * that error.
 */
export async function retryForever<T>(
  operation: () => Promise<T>,
  options: {
    initialMs: number;
    maxMs: number;
    isRetriable: (error: unknown) => boolean;
    onRetry: (error: unknown, attempt: number, delayMs: number) => void;
    signal?: AbortSignal;
  },
): Promise<T> {
  for (let retry = 1; ; retry += 1) {
    try {
      return await operation();
    } catch (error) {
      if (!options.isRetriable(error) || options.signal?.aborted) throw error;
      const { initialMs, maxMs } = options;
      const delay = backoffDelay(retry, { initialMs, maxMs, jitter: true });
      options.onRetry(error, retry, delay);
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
