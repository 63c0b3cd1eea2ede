/** What the part of a resource ID after its letter prefix looks like. */
export type IdShape = '{uuid}' | '{int}' | '{hex}' | '{ulid}' | '{b62}' | '{str}';

// Shorter tokens are too ambiguous (words, short codes) to call them hex or base62 IDs.
const MIN_TOKEN_LENGTH = 8;
const UUID_LENGTH = 36;
const ULID_LENGTH = 26;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** 8-4-4-4-12 hex digits, either case, filling `s` from `start` to its end. */
export function isUuidAt(s: string, start: number): boolean {
  if (s.length - start !== UUID_LENGTH) return false;
  for (let i = 0; i < UUID_LENGTH; i++) {
    const c = s.charCodeAt(start + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45 /* - */) return false;
    } else if (!isHexDigit(c)) {
      return false;
    }
  }
  return true;
}

/**
 * Shape of `s` from `start` to its end, in one pass over the characters.
 *
 * Order matters where shapes overlap: all digits is `{int}` even at ULID length; a single-case
 * hex string is `{hex}` even at ULID length (a real ULID consisting of hex letters only is
 * vanishingly rare, a 26-char hex token is not); mixed-case hex (Twilio's `AC` + lower-case hex)
 * is base62-like, since hex encoders emit one case.
 */
export function bodyShape(s: string, start: number): IdShape {
  const len = s.length - start;
  if (len === 0) return '{str}';
  if (len === UUID_LENGTH && isUuidAt(s, start)) return '{uuid}';
  let digits = 0;
  let hexLower = 0;
  let hexUpper = 0;
  let otherLetters = 0;
  let crockford = true;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      digits++;
    } else if (c >= 97 && c <= 102) {
      hexLower++;
    } else if (c >= 65 && c <= 70) {
      hexUpper++;
    } else if (isAsciiLetter(c)) {
      otherLetters++;
      // Crockford base32 leaves out I, L, O and U.
      const upper = c & ~32;
      if (upper === 73 || upper === 76 || upper === 79 || upper === 85) crockford = false;
    } else {
      return '{str}';
    }
  }
  if (digits === len) return '{int}';
  const letters = hexLower + hexUpper + otherLetters;
  if (
    len >= MIN_TOKEN_LENGTH &&
    otherLetters === 0 &&
    digits > 0 &&
    (hexLower === 0 || hexUpper === 0)
  ) {
    return '{hex}';
  }
  const first = s.charCodeAt(start);
  // A ULID's first character encodes the top 3 bits of a 48-bit timestamp, so it is 0-7.
  if (len === ULID_LENGTH && crockford && first >= 48 && first <= 55) return '{ulid}';
  if (len >= MIN_TOKEN_LENGTH && digits > 0 && letters > 0) return '{b62}';
  return '{str}';
}

/** Decimal value of the digits from `start` to the end, or null above Number.MAX_SAFE_INTEGER. */
export function safeIntegerAt(s: string, start: number): number | null {
  let value = 0;
  for (let i = start; i < s.length; i++) {
    // Once above MAX_SAFE_INTEGER the float is inexact, but it can never fall back below it.
    value = value * 10 + (s.charCodeAt(i) - 48);
    if (value > Number.MAX_SAFE_INTEGER) return null;
  }
  return value;
}
