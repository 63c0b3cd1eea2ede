/** What a URL's password is replaced with wherever a configured value is shown. */
export const REDACTED_PASSWORD = '***';

/**
 * `value` with the password of its URL userinfo replaced by `***`: `redis://:s3cret@host:6379`
 * becomes `redis://:***@host:6379`, `http://default:pw@ch:8123` becomes
 * `http://default:***@ch:8123`. For every value a configuration error or a log line shows: a
 * REDIS_URL or CLICKHOUSE_URL conventionally embeds the password.
 *
 * Works on the text, not on `new URL()`: the values shown in configuration errors are the ones
 * that failed validation, often because they do not parse (a space or a second `@` in an
 * unencoded password, a wrong scheme, a missing `//`). So it errs towards masking: everything
 * from the first `:` after the scheme's `://` (or after the start, without one) up to the last
 * `@` goes. A userinfo without `:` is a user name only (RFC 3986) and stays.
 */
export function redactUrlPassword(value: string): string {
  const scheme = value.indexOf('://');
  const from = scheme < 0 ? 0 : scheme + 3;
  const at = value.lastIndexOf('@');
  if (at < from) return value;
  const colon = value.indexOf(':', from);
  if (colon < 0 || colon > at) return value;
  return `${value.slice(0, colon + 1)}${REDACTED_PASSWORD}${value.slice(at)}`;
}
