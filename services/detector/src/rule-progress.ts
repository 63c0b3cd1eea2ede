import type { RuleId } from '@denyscope/alerts';
import type { Redis } from 'ioredis';

/** How far one rule got, and how often in a row it failed since. */
export interface RuleProgress {
  /** The last watermark this rule was evaluated at successfully (null: never on its own). */
  evaluated: Date | null;
  /** Consecutive ticks whose evaluation of this rule failed (0: the last one succeeded). */
  failures: number;
  /** The last failure's error message, for the pipeline-health alert and the log. */
  lastError: string;
}

/**
 * Per-rule progress, next to the detector's own evaluated watermark. A rule whose query fails is
 * not counted as evaluated: its windows are evaluated again, from its own last success, on the next
 * tick (issue 11, finding 3: a failed window used to be skipped for good), and after
 * DETECT_RULE_FAILURE_ALERT_AFTER failures in a row the pipeline-health rule names it.
 */
export interface RuleProgressStore {
  get(rules: readonly RuleId[]): Promise<Map<RuleId, RuleProgress>>;
  /** These rules evaluated `at` successfully: their failure counts start again from 0. */
  saveEvaluated(rules: readonly RuleId[], at: Date): Promise<void>;
  /** One more failure in a row; returns the count. */
  recordFailure(rule: RuleId, error: string): Promise<number>;
}

export class MemoryRuleProgressStore implements RuleProgressStore {
  private readonly progress = new Map<RuleId, RuleProgress>();

  get(rules: readonly RuleId[]): Promise<Map<RuleId, RuleProgress>> {
    const found = new Map<RuleId, RuleProgress>();
    for (const rule of rules) {
      found.set(rule, {
        ...(this.progress.get(rule) ?? { evaluated: null, failures: 0, lastError: '' }),
      });
    }
    return Promise.resolve(found);
  }

  saveEvaluated(rules: readonly RuleId[], at: Date): Promise<void> {
    for (const rule of rules)
      this.progress.set(rule, { evaluated: at, failures: 0, lastError: '' });
    return Promise.resolve();
  }

  recordFailure(rule: RuleId, error: string): Promise<number> {
    const previous = this.progress.get(rule) ?? { evaluated: null, failures: 0, lastError: '' };
    const next = { ...previous, failures: previous.failures + 1, lastError: error };
    this.progress.set(rule, next);
    return Promise.resolve(next.failures);
  }
}

/**
 * In Redis, under the BullMQ prefix, next to `<prefix>:detector:evaluated`:
 *   <prefix>:detector:evaluated:<rule>   last watermark the rule was evaluated at, epoch ms
 *   <prefix>:detector:failures:<rule>    consecutive failures (integer)
 *   <prefix>:detector:error:<rule>       the last failure's message
 * A rule without a key (state from before per-rule progress) goes with the detector's watermark.
 */
export class RedisRuleProgressStore implements RuleProgressStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(kind: 'evaluated' | 'failures' | 'error', rule: RuleId): string {
    return `${this.prefix}:detector:${kind}:${rule}`;
  }

  async get(rules: readonly RuleId[]): Promise<Map<RuleId, RuleProgress>> {
    const found = new Map<RuleId, RuleProgress>();
    if (rules.length === 0) return found;
    const keys = rules.flatMap((rule) => [
      this.key('evaluated', rule),
      this.key('failures', rule),
      this.key('error', rule),
    ]);
    const values = await this.redis.mget(keys);
    rules.forEach((rule, i) => {
      const ms = Number(values[i * 3] ?? NaN);
      const failures = Number(values[i * 3 + 1] ?? 0);
      found.set(rule, {
        evaluated: values[i * 3] != null && Number.isFinite(ms) ? new Date(ms) : null,
        failures: Number.isFinite(failures) ? failures : 0,
        lastError: values[i * 3 + 2] ?? '',
      });
    });
    return found;
  }

  async saveEvaluated(rules: readonly RuleId[], at: Date): Promise<void> {
    if (rules.length === 0) return;
    const multi = this.redis.multi();
    for (const rule of rules) {
      multi.set(this.key('evaluated', rule), String(at.getTime()));
      multi.del(this.key('failures', rule), this.key('error', rule));
    }
    await multi.exec();
  }

  async recordFailure(rule: RuleId, error: string): Promise<number> {
    const result = await this.redis
      .multi()
      .incr(this.key('failures', rule))
      .set(this.key('error', rule), error.slice(0, 500))
      .exec();
    const count = result?.[0]?.[1];
    return typeof count === 'number' ? count : Number(count ?? 1);
  }
}
