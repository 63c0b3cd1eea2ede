/**
 * Paces a producer to `rate` events per second. Tokens accrue continuously and are capped at
 * `burst`, so a stalled sink (a slow broker, a full pipe) is not followed by a flood: the lost
 * time is simply lost, and the achieved rate, measured separately, shows it.
 */
export class TokenBucket {
  private tokens = 0;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
  ) {
    if (!(rate > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
  }

  /** Takes as many whole tokens as are available, at most `max`. */
  take(now: number, max = Number.POSITIVE_INFINITY): number {
    this.refill(now);
    const n = Math.min(Math.floor(this.tokens), Math.floor(max));
    this.tokens -= n;
    return n;
  }

  /** Milliseconds until `n` tokens (at most `burst`) are available; 0 when they already are. */
  msUntil(n: number, now: number): number {
    this.refill(now);
    const missing = Math.min(n, this.burst) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.rate);
  }
}

/** Events per second over a sliding interval, for the "achieved rate" log lines. */
export class RateMeter {
  private count = 0;
  private since: number;

  constructor(now: number) {
    this.since = now;
  }

  add(n: number): void {
    this.count += n;
  }

  /** Rate since the last call (or construction), then starts a new interval. */
  sample(now: number): { events: number; seconds: number; rate: number } {
    const seconds = Math.max(now - this.since, 1) / 1000;
    const result = { events: this.count, seconds, rate: Math.round(this.count / seconds) };
    this.count = 0;
    this.since = now;
    return result;
  }
}
