const ZERO = 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Value of the two decimal digits at `i`, or -1 if either is not a digit. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - ZERO;
  const b = s.charCodeAt(i + 1) - ZERO;
  // charCodeAt past the end is NaN, which fails both comparisons.
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
 * Plain arithmetic: several times faster than `Date.UTC`, which also maps years 0-99 to 19xx.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Epoch milliseconds of an RFC 3339 date-time (`2024-05-01T12:00:00.123+02:00`), or NaN.
 *
 * Accepts the profile that `z.iso.datetime({ offset: true })` accepts and every common producer
 * emits: upper-case `T` and `Z`, seconds required, any number of fraction digits (truncated to
 * milliseconds), offsets `±HH:MM`. Rejects lower-case separators and leap seconds (`:60`), which
 * RFC 3339 allows but nothing we ingest produces. `Date.parse` is not used because it also
 * accepts local times without an offset (read in the server's time zone) and free-form dates.
 */
export function parseRfc3339(s: string): number {
  const len = s.length;
  if (len < 20) return NaN;
  const century = twoDigits(s, 0);
  const yearOfCentury = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 /* - */ ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58 /* : */ ||
    century < 0 ||
    yearOfCentury < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return NaN;
  }
  const year = century * 100 + yearOfCentury;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays) return NaN;

  let i = 19;
  let millis = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    const fractionStart = i;
    for (; i < len; i++) {
      const d = s.charCodeAt(i) - ZERO;
      if (!(d >= 0 && d <= 9)) break;
      if (i - fractionStart < 3) millis = millis * 10 + d;
    }
    const digits = i - fractionStart;
    if (digits === 0) return NaN;
    // Digits past milliseconds are truncated, not rounded, as Date.parse does.
    if (digits < 3) millis *= digits === 1 ? 100 : 10;
  }

  let offsetMinutes = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90 /* Z */) {
    i++;
  } else if (zone === 43 /* + */ || zone === 45 /* - */) {
    const offsetHour = twoDigits(s, i + 1);
    const offsetMinute = twoDigits(s, i + 4);
    if (
      s.charCodeAt(i + 3) !== 58 /* : */ ||
      offsetHour < 0 ||
      offsetHour > 23 ||
      offsetMinute < 0 ||
      offsetMinute > 59
    ) {
      return NaN;
    }
    offsetMinutes = (offsetHour * 60 + offsetMinute) * (zone === 43 ? 1 : -1);
    i += 6;
  } else {
    return NaN;
  }
  if (i !== len) return NaN;

  const minutes = (daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMinutes;
  return minutes * 60_000 + second * 1000 + millis;
}
