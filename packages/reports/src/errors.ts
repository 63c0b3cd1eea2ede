/** Base error of the reporter: `retriable` tells a caller (or a BullMQ job) whether to try again. */
export class ReporterError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReporterError';
    this.retriable = options.retriable;
  }
}

/** The request itself is wrong (empty account, empty or reversed period): never retried. */
export class InvalidReportRequestError extends ReporterError {
  constructor(message: string) {
    super(message, { retriable: false });
    this.name = 'InvalidReportRequestError';
  }
}
