import type { RuleId } from '@denyscope/alerts';
import type { Redis } from 'ioredis';
import type { IncidentState } from './incident.js';
import type { IncidentStore, Mute } from './incident-store.js';

/**
 * How long a resolved incident's state is kept without `resolvedTtlMs`: 7 days. Also
 * DETECT_RESOLVED_TTL_MS's default (the detector's configuration section).
 */
export const DEFAULT_RESOLVED_TTL_MS = 7 * 86_400_000;

/**
 * Incident state in Redis, shared by every detector instance (evaluations are serialized by the
 * detect queue's global concurrency of 1). Keys, under the BullMQ prefix:
 *   <prefix>:incident:<rule>|<subject>   JSON IncidentState; a resolved one expires after
 *                                        `resolvedTtlMs` (DETECT_RESOLVED_TTL_MS), a firing one never
 *   <prefix>:incidents:firing            set of <rule>|<subject>
 *   <prefix>:mute:<rule>|<subject>       JSON Mute, expiring with the mute
 *   <prefix>:detector:evaluated          last evaluated watermark, epoch milliseconds
 * (Acknowledgements are rows of the ClickHouse alerts table, alert-history.ts.)
 *
 * Why resolved incidents may expire: every distinct subject an attacker sends could otherwise
 * leave a key behind for good. What the next incident of the subject needs from a resolved one is
 * its episode number and generation (the alert ID, incident.ts); once it has expired, the next
 * incident starts a new generation, so IDs stay unique. The TTL must outlast the longest rule
 * window (24 h), which the configuration enforces, so that a window's old events never reopen it.
 */
export class RedisIncidentStore implements IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: { resolvedTtlMs?: number } = {},
  ) {}

  private id(rule: string, subjectKey: string): string {
    return `${rule}|${subjectKey}`;
  }

  async get(rule: RuleId, subjectKey: string): Promise<IncidentState | null> {
    const text = await this.redis.get(`${this.prefix}:incident:${this.id(rule, subjectKey)}`);
    return text === null ? null : (JSON.parse(text) as IncidentState);
  }

  async listFiring(): Promise<IncidentState[]> {
    const ids = await this.redis.smembers(`${this.prefix}:incidents:firing`);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map((id) => `${this.prefix}:incident:${id}`));
    return texts
      .filter((text): text is string => text !== null)
      .map((text) => JSON.parse(text) as IncidentState)
      .filter((state) => state.status === 'firing');
  }

  async save(state: IncidentState): Promise<void> {
    const id = this.id(state.rule, state.subjectKey);
    const key = `${this.prefix}:incident:${id}`;
    const text = JSON.stringify(state);
    const multi = this.redis.multi();
    // A plain SET also clears a TTL left by an earlier resolved episode.
    if (state.status === 'firing') {
      multi.set(key, text).sadd(`${this.prefix}:incidents:firing`, id);
    } else {
      const ttl = this.options.resolvedTtlMs ?? DEFAULT_RESOLVED_TTL_MS;
      multi.set(key, text, 'PX', ttl).srem(`${this.prefix}:incidents:firing`, id);
    }
    await multi.exec();
  }

  async mute(mute: Mute): Promise<void> {
    const ttl = new Date(mute.until).getTime() - Date.now();
    if (ttl <= 0) throw new Error('a mute must end in the future');
    await this.redis.set(
      `${this.prefix}:mute:${this.id(mute.rule, mute.subjectKey)}`,
      JSON.stringify(mute),
      'PX',
      ttl,
    );
  }

  async unmute(rule: RuleId, subjectKey: string): Promise<boolean> {
    return (await this.redis.del(`${this.prefix}:mute:${this.id(rule, subjectKey)}`)) > 0;
  }

  async listMutes(): Promise<Mute[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.prefix}:mute:*`,
        'COUNT',
        500,
      );
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const texts = await this.redis.mget(keys);
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as Mute);
  }

  async activeMute(rule: RuleId, subjectKey: string, at: Date): Promise<Mute | null> {
    const text = await this.redis.get(`${this.prefix}:mute:${this.id(rule, subjectKey)}`);
    if (text === null) return null;
    const mute = JSON.parse(text) as Mute;
    return new Date(mute.until) > at ? mute : null;
  }

  async lastEvaluated(): Promise<Date | null> {
    const text = await this.redis.get(`${this.prefix}:detector:evaluated`);
    const ms = text === null ? NaN : Number(text);
    return Number.isFinite(ms) ? new Date(ms) : null;
  }

  async saveLastEvaluated(watermark: Date): Promise<void> {
    await this.redis.set(`${this.prefix}:detector:evaluated`, String(watermark.getTime()));
  }
}
