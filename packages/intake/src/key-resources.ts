import type { CountableEvent } from '@denyscope/events';

/**
 * Distinct resource IDs a key may read per minute that are recorded, unless the caller says
 * otherwise: INGEST_KEY_READS_PER_MINUTE's default (ingest's configuration section), and what
 * `denyscope replay`'s loader uses when its caller passes no setting.
 */
export const DEFAULT_KEY_READS_PER_MINUTE = 100;

/** `key_resources.action` (migration 007). */
export const READ = 0;
export const WRITE = 1;
export const DELETE = 2;
export type KeyResourceAction = typeof READ | typeof WRITE | typeof DELETE;

/** A row of the `key_resources` table (DateTime as unix seconds). */
export interface KeyResourceRow {
  minute: number;
  env: string;
  key_id: string;
  account_id: string;
  resource_id: string;
  action: number;
}

/** True if `method` is the upper-case ASCII `name` in any ASCII case. */
function isMethod(method: string, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    // `name` is all letters, so `| 0x20` matches exactly its two cases.
    if ((method.charCodeAt(i) | 0x20) !== (name.charCodeAt(i) | 0x20)) return false;
  }
  return true;
}

/**
 * What a successful request did to the resource: POST, PUT and PATCH write, DELETE deletes,
 * anything else (GET, HEAD, OPTIONS, unknown methods) reads. Methods are compared in ASCII case
 * only (HTTP methods are ASCII tokens; Unicode case mapping would make `poſt` a POST). No string
 * is allocated: this runs for every successful request.
 */
export function actionOf(method: string): KeyResourceAction {
  switch (method.length) {
    case 3:
      return isMethod(method, 'PUT') ? WRITE : READ;
    case 4:
      return isMethod(method, 'POST') ? WRITE : READ;
    case 5:
      return isMethod(method, 'PATCH') ? WRITE : READ;
    case 6:
      return isMethod(method, 'DELETE') ? DELETE : READ;
    default:
      return READ;
  }
}

/** The env and account of the event that first used a resource (what its row carries). */
interface Owner {
  readonly env: string;
  readonly accountId: string;
}

/**
 * Distinct resource IDs of one key in one minute, per action, each with the env and account of
 * the event that first used it. Most are the minute's first event's (`owner`, shared): a row is
 * then a map entry, not an object of its own.
 */
interface MinuteIds {
  minute: number;
  /** Env and account of the minute's first recorded event. */
  owner: Owner;
  reads: Map<string, Owner>;
  /** Created on the first write or delete: most keys only read. */
  writes: Map<string, Owner> | null;
  deletes: Map<string, Owner> | null;
}

/**
 * The key_resources rows of one flushed batch: the resources each key used successfully, per
 * minute. One row per (key, minute, resource ID, action) (the table's sorting key, so the
 * first event's env and account stand for the batch), and at most `readsPerMinute` read IDs per
 * key and minute: a key reading more is plainly not guessing, and the rules only ask how many
 * distinct IDs it read. Writes and deletes are never capped. At most one row per message, so
 * memory stays bounded by the batch.
 *
 * The rows are kept as map entries (resource ID → env and account) and built only when the batch
 * is stored (`toRows`): a row object per successful request, kept until the flush, was 40 % of a
 * pending batch's heap (6.7 of 17 MB for 100,000 bench events).
 *
 * Hot path (every successful request): one map lookup by the key string as the scanner or
 * JSON.parse gave it, a scan of that key's few minutes (newest first), one map lookup by the
 * resource ID. No key is built by concatenation (as in PartitionTotals). A read over the cap
 * stops before its resource ID is decoded and derived.
 */
export class KeyResources {
  private readonly byKey = new Map<string, MinuteIds[]>();
  private count = 0;
  /**
   * Successful reads not looked at because the key's reads of that minute were at the cap (every
   * such event counts, repeats of an ID too: its ID is not even decoded).
   */
  cappedReads = 0;

  constructor(private readonly readsPerMinute: number) {}

  /** Rows recorded so far. */
  get size(): number {
    return this.count;
  }

  /**
   * Records `event` if it is a fact of successful traffic: a 2xx by a known key of a known
   * account, on a resource ID that was given or derived, whose owner is that account or not
   * stated. An owner of null means the resource does not exist; another owner is a foreign
   * access (kept in foreign_access); a 2xx is never a denial. `method` and then `resourceId` are
   * read last, since the scanner decodes them only when asked, and `resourceId` not at all for a
   * read over the cap.
   */
  addEvent(event: CountableEvent): void {
    const { status, keyId, accountId, resourceOwner } = event;
    if (status < 200 || status > 299 || keyId === null || accountId === null) return;
    if (resourceOwner !== undefined && resourceOwner !== accountId) return;
    const action = actionOf(event.method);
    const ids = this.idsOf(keyId, event.ts, event.env, accountId);
    const seen = this.mapOf(ids, action);
    if (seen === null) return;
    const resourceId = event.resourceId;
    if (resourceId === null || seen.has(resourceId)) return;
    const { owner } = ids;
    seen.set(
      resourceId,
      owner.env === event.env && owner.accountId === accountId
        ? owner
        : { env: event.env, accountId },
    );
    this.count += 1;
  }

  /** The rows, grouped by key, minute and action (ClickHouse sorts them anyway). */
  toRows(): KeyResourceRow[] {
    const rows: KeyResourceRow[] = [];
    for (const [keyId, minutes] of this.byKey) {
      for (const { minute, reads, writes, deletes } of minutes) {
        pushRows(rows, keyId, minute, READ, reads);
        if (writes !== null) pushRows(rows, keyId, minute, WRITE, writes);
        if (deletes !== null) pushRows(rows, keyId, minute, DELETE, deletes);
      }
    }
    return rows;
  }

  /** The IDs the key used in the minute of `tsMs`; a new minute takes `env` and `accountId`. */
  private idsOf(keyId: string, tsMs: number, env: string, accountId: string): MinuteIds {
    const minute = Math.floor(tsMs / 60_000) * 60;
    let minutes = this.byKey.get(keyId);
    if (minutes === undefined) {
      minutes = [];
      this.byKey.set(keyId, minutes);
    }
    // Newest first: events mostly arrive in time order, so the match is usually the last one.
    for (let i = minutes.length - 1; i >= 0; i -= 1) {
      const ids = minutes[i]!;
      if (ids.minute === minute) return ids;
    }
    const ids: MinuteIds = {
      minute,
      owner: { env, accountId },
      reads: new Map(),
      writes: null,
      deletes: null,
    };
    minutes.push(ids);
    return ids;
  }

  /**
   * The map of IDs the action adds to, or null when it is a read and the key's reads of that
   * minute are at the cap. A read of an ID already recorded is then not recorded either, so it
   * counts as capped too.
   */
  private mapOf(ids: MinuteIds, action: KeyResourceAction): Map<string, Owner> | null {
    if (action === WRITE) return (ids.writes ??= new Map());
    if (action === DELETE) return (ids.deletes ??= new Map());
    if (ids.reads.size < this.readsPerMinute) return ids.reads;
    this.cappedReads += 1;
    return null;
  }
}

function pushRows(
  rows: KeyResourceRow[],
  keyId: string,
  minute: number,
  action: KeyResourceAction,
  seen: Map<string, Owner>,
): void {
  seen.forEach((owner, resourceId) => {
    rows.push({
      minute,
      env: owner.env,
      key_id: keyId,
      account_id: owner.accountId,
      resource_id: resourceId,
      action,
    });
  });
}
