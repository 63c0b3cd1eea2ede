import { TupleParam } from '@clickhouse/client';
import { quoteString } from './quote.js';
import type { ServerCapabilities } from './server-version.js';

/**
 * The untrusted strings of one query. Where the server has query parameters, each value becomes
 * a placeholder (`{v0:String}`) in the SQL and travels apart from it in `query_params`, so no
 * value is ever parsed as SQL; on 18.16, which has none, the tested quoting helper (quote.ts)
 * writes it as a literal. One instance per query:
 *
 *     const v = sqlValues(caps);
 *     const query = `SELECT … WHERE account_id = ${v.string(accountId)}`;
 *     await client.query({ query, query_params: v.params, format: 'JSONEachRow' });
 *
 * Numbers stay literals either way: quoteUInt only ever writes digits.
 */
export class SqlValues {
  /** What to pass as `query_params` (empty on servers without parameters). */
  readonly params: Record<string, string | readonly string[] | readonly TupleParam[]> = {};
  private next = 0;

  constructor(readonly parameters: boolean) {}

  /** One string value. */
  string(value: string): string {
    if (!this.parameters) return quoteString(value);
    // Lone surrogates cannot travel as UTF-8; quoteString replaces them the same way.
    return this.placeholder('String', value.toWellFormed());
  }

  /** A non-empty list of strings, for `IN`: `('a', 'b')` or `{v1:Array(String)}`. */
  strings(values: readonly string[]): string {
    if (values.length === 0) throw new RangeError('an IN list needs at least one value');
    if (!this.parameters) return `(${values.map(quoteString).join(', ')})`;
    return this.placeholder(
      'Array(String)',
      values.map((v) => v.toWellFormed()),
    );
  }

  /**
   * A non-empty list of string pairs, for `(a, b) IN …`: `(('a', 'b'), ('c', 'd'))` or
   * `{v2:Array(Tuple(String, String))}`.
   */
  pairs(values: readonly (readonly [string, string])[]): string {
    if (values.length === 0) throw new RangeError('an IN list needs at least one value');
    if (!this.parameters) {
      return `(${values.map(([a, b]) => `(${quoteString(a)}, ${quoteString(b)})`).join(', ')})`;
    }
    return this.placeholder(
      'Array(Tuple(String, String))',
      values.map(([a, b]) => new TupleParam([a.toWellFormed(), b.toWellFormed()])),
    );
  }

  private placeholder(
    type: string,
    value: string | readonly string[] | readonly TupleParam[],
  ): string {
    const name = `v${this.next++}`;
    this.params[name] = value;
    return `{${name}:${type}}`;
  }
}

/** What sqlValues needs to know of the server. */
export type SqlCapabilities = Pick<ServerCapabilities, 'queryParameters'>;

/** Values for one query on a server with these capabilities. */
export function sqlValues(caps: SqlCapabilities): SqlValues {
  return new SqlValues(caps.queryParameters);
}
