import type { ClickHouseClient } from '@clickhouse/client';

export interface ServerVersion {
  major: number;
  minor: number;
  text: string;
}

/**
 * What the connected server can do. Migrations read these flags instead of comparing versions
 * themselves, so the SQL that runs on Debian's 18.16 and on a current server stays in one place.
 */
export interface ServerCapabilities {
  version: ServerVersion;
  /** Table TTL (19.6+). Retention by dropping partitions works everywhere; TTL is extra. */
  ttl: boolean;
  /** LowCardinality without the experimental flag (19.9+ made it generally usable). */
  lowCardinality: boolean;
  /**
   * `ALTER TABLE … ADD COLUMN IF NOT EXISTS`. Without it, a column migration stays idempotent
   * only by reading the server's "already exists" error, whose code differs between versions (44
   * on 18.16, 15 DUPLICATE_COLUMN on current servers).
   */
  addColumnIfNotExists: boolean;
  /** Query parameters `{name:Type}` with values in `query_params` (bind.ts); 18.16 has none. */
  queryParameters: boolean;
}

export function parseServerVersion(text: string): ServerVersion {
  const match = /^(\d+)\.(\d+)/.exec(text.trim());
  if (!match) throw new Error(`cannot read ClickHouse version from ${JSON.stringify(text)}`);
  return { major: Number(match[1]), minor: Number(match[2]), text: text.trim() };
}

function atLeast(version: ServerVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

export function capabilitiesOf(version: ServerVersion): ServerCapabilities {
  return {
    version,
    ttl: atLeast(version, 19, 6),
    lowCardinality: atLeast(version, 19, 9),
    // Both are older than 20.3, but 20.3 (the first LTS after 18.16) is where this project
    // vouches for them: a server between the two merely takes the 18.16 path, which works.
    addColumnIfNotExists: atLeast(version, 20, 3),
    queryParameters: atLeast(version, 20, 3),
  };
}

export async function readServerCapabilities(
  client: ClickHouseClient,
): Promise<ServerCapabilities> {
  const result = await client.query({
    query: 'SELECT version() AS version',
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: string }>();
  const text = rows[0]?.version;
  if (text === undefined) throw new Error('SELECT version() returned no row');
  return capabilitiesOf(parseServerVersion(text));
}

const known = new WeakMap<ClickHouseClient, Promise<ServerCapabilities>>();

/**
 * readServerCapabilities, once per client: the services ask before each report or rule tick and
 * the server answers `SELECT version()` only the first time. A failed read is forgotten, so the
 * next call asks again (the server may have been down).
 */
export function serverCapabilities(client: ClickHouseClient): Promise<ServerCapabilities> {
  let caps = known.get(client);
  if (caps === undefined) {
    caps = readServerCapabilities(client);
    known.set(client, caps);
    caps.catch(() => known.delete(client));
  }
  return caps;
}
