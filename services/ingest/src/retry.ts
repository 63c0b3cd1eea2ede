import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** Exponential backoff with full jitter (AWS architecture blog), so restarted workers spread out. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Calls `operation` until it succeeds, waiting longer after each retriable failure. A failure that
 * `isRetriable` rejects, or an abort, ends the loop with that error.
 */
export async function retryForever<T>(
  operation: () => Promise<T>,
  options: BackoffOptions & {
    isRetriable: (error: unknown) => boolean;
    onRetry: (error: unknown, attempt: number, delayMs: number) => void;
    signal?: AbortSignal;
  },
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (!options.isRetriable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, options);
      options.onRetry(error, attempt + 1, delay);
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
