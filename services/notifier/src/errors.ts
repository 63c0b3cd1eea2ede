/**
 * Errors say whether to retry (KafkaJS `src/errors.js`): the sink worker rethrows a retriable error
 * so BullMQ retries it with backoff, and turns a permanent one into BullMQ's UnrecoverableError.
 * Messages name the sink's host only, never a URL path, key or secret: they end up in logs.
 */
export class NotifierError extends Error {
  override name = 'NotifierError';
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retriable = options.retriable;
  }
}

/** The sink answered, with a status that is not 2xx. */
export class SinkHttpError extends NotifierError {
  override name = 'SinkHttpError';

  constructor(
    readonly host: string,
    readonly status: number,
    /** The start of the response body, for the log; untrusted text. */
    readonly responseExcerpt: string,
    /** From `Retry-After`, when the sink sent one we could read. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${host} answered HTTP ${status}`, { retriable: isRetriableStatus(status) });
  }
}

/** No answer at all: refused, reset, DNS, TLS or the request timeout. Always worth a retry. */
export class SinkUnreachableError extends NotifierError {
  override name = 'SinkUnreachableError';

  constructor(
    readonly host: string,
    cause: unknown,
  ) {
    super(`could not reach ${host}: ${describeCause(cause)}`, { retriable: true, cause });
  }
}

/** A job whose data breaks the alert contract; no retry can fix it. */
export class InvalidNotificationError extends NotifierError {
  override name = 'InvalidNotificationError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid alert notification: ${problems.join('; ')}`, { retriable: false });
  }
}

/**
 * 5xx and 429 are the sink's temporary trouble; 408 is a timeout said in HTTP. Every other status
 * (4xx, and 3xx since redirects are not followed) means the request or the configuration is wrong
 * and will be wrong again on the next attempt.
 */
export function isRetriableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** Errors we did not classify (a bug, a Redis hiccup) are retried: losing an alert is worse. */
export function isRetriable(error: unknown): boolean {
  return !(error instanceof NotifierError) || error.retriable;
}

// fetch() rejects with a bare "fetch failed" TypeError; the useful part (ECONNREFUSED, timeout) is
// in its cause. Only the name and code are kept, so no URL can leak into the message.
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return 'unknown error';
  if (cause.name === 'TimeoutError' || cause.name === 'AbortError') return 'request timed out';
  const inner: unknown = cause.cause;
  if (inner instanceof Error) {
    const code = (inner as NodeJS.ErrnoException).code;
    return code ?? inner.name;
  }
  return cause.name;
}
