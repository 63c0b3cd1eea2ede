// ClickHouse 18.16 has no query parameters, so the few places where an untrusted value must appear
// in SQL go through these two helpers, and nothing else builds literals by hand. Bulk data never
// goes this way: it travels in insert formats (ingest's rows as TabSeparated, see
// tab-separated.ts; alerts as JSONEachRow). Current servers bind values as query parameters
// instead (sqlValues).

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Backquotes a database, table or column name after checking it is a plain identifier. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new TypeError(`not a plain SQL identifier: ${JSON.stringify(name.slice(0, 80))}`);
  }
  return `\`${name}\``;
}

/** Backslash escapes ClickHouse reads in string literals and in TabSeparated fields alike. */
export const BACKSLASH_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\r': '\\r',
  '\n': '\\n',
  '\t': '\\t',
};

const ESCAPES: Readonly<Record<string, string>> = { ...BACKSLASH_ESCAPES, "'": "\\'" };

/**
 * Turns any string into a ClickHouse single-quoted string literal that parses back to exactly the
 * same characters (checked against a real server in quote.int.test.ts). Lone UTF-16 surrogates
 * cannot be sent as UTF-8 and are replaced by U+FFFD, as Node's encoder would do anyway.
 */
export function quoteString(value: string): string {
  return `'${value.toWellFormed().replace(/[\\'\0\b\f\r\n\t]/g, (ch) => ESCAPES[ch] ?? ch)}'`;
}

/** A non-negative integer literal; rejects anything else instead of quoting it. */
export function quoteUInt(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`not a non-negative safe integer: ${String(value)}`);
  }
  return String(value);
}
