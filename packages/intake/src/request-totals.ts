/** A row of the `request_totals` table (see migration 003 for the offset-range contract). */
export interface RequestTotalsRow {
  minute: number;
  env: string;
  key_id: string;
  account_id: string;
  status_class: number;
  requests: number;
  denials: number;
  topic: string;
  partition: number;
  start_offset: string;
  end_offset: string;
}

interface Tally {
  minute: number;
  env: string;
  statusClass: number;
  requests: number;
  denials: number;
}

/**
 * Counts requests per minute/env/key/account/status class for one Kafka partition, so that the
 * non-denied majority of traffic costs a map lookup instead of a stored row.
 *
 * Hot path (every event): two map lookups by the key and account strings as they came out of
 * `JSON.parse`, then a scan of that pair's few tallies (usually one per status class in the
 * current minute). No key is built by concatenation, so no string is allocated per event and no
 * crafted key or account can collide with another pair.
 */
export class PartitionTotals {
  private readonly byKey = new Map<string, Map<string, Tally[]>>();
  private count = 0;
  /** First and last offset whose requests are counted here (as strings: Kafka offsets are int64). */
  startOffset: string | null = null;
  endOffset: string | null = null;

  add(
    offset: string,
    tsMs: number,
    env: string,
    keyId: string,
    accountId: string,
    status: number,
    denied: boolean,
  ): void {
    const minute = Math.floor(tsMs / 60_000) * 60;
    const statusClass = Math.floor(status / 100);
    let byAccount = this.byKey.get(keyId);
    if (byAccount === undefined) {
      byAccount = new Map();
      this.byKey.set(keyId, byAccount);
    }
    let tallies = byAccount.get(accountId);
    if (tallies === undefined) {
      tallies = [];
      byAccount.set(accountId, tallies);
    }
    let tally: Tally | undefined;
    // Newest first: events mostly arrive in time order, so the match is usually the last one.
    for (let i = tallies.length - 1; i >= 0; i -= 1) {
      const candidate = tallies[i]!;
      if (
        candidate.minute === minute &&
        candidate.statusClass === statusClass &&
        candidate.env === env
      ) {
        tally = candidate;
        break;
      }
    }
    if (tally === undefined) {
      tally = { minute, env, statusClass, requests: 0, denials: 0 };
      tallies.push(tally);
      this.count += 1;
    }
    tally.requests += 1;
    if (denied) tally.denials += 1;
    if (this.startOffset === null) this.startOffset = offset;
  }

  get size(): number {
    return this.count;
  }

  rows(topic: string, partition: number): RequestTotalsRow[] {
    if (this.startOffset === null || this.endOffset === null) return [];
    const rows: RequestTotalsRow[] = [];
    for (const [keyId, byAccount] of this.byKey) {
      for (const [accountId, tallies] of byAccount) {
        for (const tally of tallies) {
          rows.push({
            minute: tally.minute,
            env: tally.env,
            key_id: keyId,
            account_id: accountId,
            status_class: tally.statusClass,
            requests: tally.requests,
            denials: tally.denials,
            topic,
            partition,
            start_offset: this.startOffset,
            end_offset: this.endOffset,
          });
        }
      }
    }
    return rows;
  }
}
