/**
 * The characters no output medium shows as themselves, whatever else it escapes: C0 and C1
 * controls (ESC starts ANSI/OSC sequences, CR/LF forge lines), DEL, the line and paragraph
 * separators U+2028/U+2029, bidi controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069
 * isolates, the LRM/RLM/ALM marks: they reorder what a reader sees, "Trojan Source"), and lone
 * surrogates (not text at all; they become U+FFFD or break a JSON or UTF-8 encoder downstream).
 * Each medium decides what to show instead (`replaceUnsafe`'s callback).
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- this is the list of control characters
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Characters that end a line on some terminal, editor or renderer. */
// eslint-disable-next-line no-control-regex -- line-ending control characters
const LINE_BREAK = /^[\n\r\u000b\u000c\u0085\u2028\u2029]$/;

export function isLineBreak(ch: string): boolean {
  return LINE_BREAK.test(ch);
}

/** `value` with every unsafe character (one UTF-16 code unit each) replaced by `replace(ch)`. */
export function replaceUnsafe(value: string, replace: (ch: string) => string): string {
  return value.replace(UNSAFE, replace);
}

/**
 * The usual replacement for text that is read, not executed: a line break or tab becomes a space
 * (an untrusted value never starts a line, so it cannot start a quote, heading or forged entry),
 * anything else becomes U+FFFD, visibly "something was here".
 */
export function toSpaceOrReplacement(ch: string): string {
  return ch === '\t' || isLineBreak(ch) ? ' ' : '\ufffd';
}

/** `\u001b`-style text for one code unit, as a terminal or log reader can see and search for it. */
export function codeUnitEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * At most `max` UTF-16 code units (the unit Slack, PagerDuty and JavaScript count in), ending in
 * `…` when cut; never ends inside a surrogate pair. Give it text that is already well formed.
 */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max - 1;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}…`;
}
