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
  keyId: string;
  accountId: string;
  statusClass: number;
  requests: number;
  denials: number;
}

/**
 * Counts requests per minute/env/key/account/status class for one Kafka partition, so that the
 * non-denied majority of traffic costs a map lookup instead of a stored row.
 */
export class PartitionTotals {
  private readonly tallies = new Map<string, Tally>();
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
    // env comes from a fixed, validated set; key and account are untrusted, so the key's length
    // marks where it ends and no crafted value can collide with another pair.
    const key = `${minute}|${env}|${statusClass}|${keyId.length}|${keyId}${accountId}`;
    let tally = this.tallies.get(key);
    if (tally === undefined) {
      tally = { minute, env, keyId, accountId, statusClass, requests: 0, denials: 0 };
      this.tallies.set(key, tally);
    }
    tally.requests += 1;
    if (denied) tally.denials += 1;
    if (this.startOffset === null) this.startOffset = offset;
  }

  get size(): number {
    return this.tallies.size;
  }

  rows(topic: string, partition: number): RequestTotalsRow[] {
    if (this.startOffset === null || this.endOffset === null) return [];
    const rows: RequestTotalsRow[] = [];
    for (const tally of this.tallies.values()) {
      rows.push({
        minute: tally.minute,
        env: tally.env,
        key_id: tally.keyId,
        account_id: tally.accountId,
        status_class: tally.statusClass,
        requests: tally.requests,
        denials: tally.denials,
        topic,
        partition,
        start_offset: this.startOffset,
        end_offset: this.endOffset,
      });
    }
    return rows;
  }
}
