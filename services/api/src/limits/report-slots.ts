import { ApiError } from '../errors.js';

export interface ReportConcurrency {
  /** Reports generated at once, in all. */
  reportConcurrency: number;
  /** Reports generated at once per token. */
  reportConcurrencyPerToken: number;
}

/** No estimate of when a running report ends exists; a few seconds is a polite first retry. */
const RETRY_AFTER_SECONDS = '5';

/**
 * Bounds how many reports run at once, in all and per token. A report reads up to 366 days of
 * denials: without a bound one account token could start dozens and take ClickHouse away from
 * detection. A request over a bound is refused at once (429), never queued: a queue would only
 * hold the client's connection open while the work it waits for piles up.
 */
export class ReportSlots {
  private running = 0;
  private readonly byToken = new Map<string, number>();

  constructor(private readonly limits: ReportConcurrency) {}

  /** Takes a slot for `token` (a principal label) and returns its release; throws a 429 if none. */
  acquire(token: string): () => void {
    const mine = this.byToken.get(token) ?? 0;
    if (mine >= this.limits.reportConcurrencyPerToken) {
      throw tooMany(
        `this token is generating ${mine} report(s) already, the most allowed at once ` +
          `(API_REPORT_CONCURRENCY_PER_TOKEN); retry when it is done`,
      );
    }
    if (this.running >= this.limits.reportConcurrency) {
      throw tooMany(
        `${this.running} reports are being generated, the most allowed at once ` +
          `(API_REPORT_CONCURRENCY); retry in a few seconds`,
      );
    }
    this.running += 1;
    this.byToken.set(token, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      const left = (this.byToken.get(token) ?? 1) - 1;
      if (left === 0) this.byToken.delete(token);
      else this.byToken.set(token, left);
    };
  }
}

const tooMany = (message: string) =>
  new ApiError(429, 'too_many_reports', message, { 'retry-after': RETRY_AFTER_SECONDS });
