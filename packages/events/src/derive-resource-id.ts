import { EVENT_LIMITS } from './limits.js';

const SLASH = 47;
const COLON = 58;
const QUESTION = 63;
const HASH = 35;
const UNDERSCORE = 95;

// `v1`, `V2`, `v2024-01`, `v1.2`, `v1beta1`: API versions, never resource IDs. Only known
// pre-release words count as suffixes, so that `v1x2` can still be an ID.
const VERSION_SEGMENT = /^v\d+(?:[._-]\d+)*(?:(?:alpha|beta|rc|preview)\d*)?$/i;

// Segment bounds of the path and route being derived from, reused across calls so that a
// derivation allocates nothing but its result. Safe to share: nothing here calls out to code
// that could re-enter.
const pathStarts: number[] = [];
const pathEnds: number[] = [];
const routeStarts: number[] = [];
const routeEnds: number[] = [];

/**
 * Records the non-empty segments of `s` up to its query string or fragment, in one pass;
 * returns how many there are. Empty segments (`//`, a trailing `/`) are not counted.
 */
function scanSegments(s: string, starts: number[], ends: number[]): number {
  let count = 0;
  let start = -1;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUESTION || c === HASH) break;
    if (c === SLASH) {
      if (start >= 0) {
        starts[count] = start;
        ends[count] = i;
        count++;
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) {
    starts[count] = start;
    ends[count] = i;
    count++;
  }
  return count;
}

/** `{name}` anywhere in the segment, or a leading `:name`. */
function isParamSegment(route: string, start: number, end: number): boolean {
  if (route.charCodeAt(start) === COLON) return true;
  const open = route.indexOf('{', start);
  if (open < 0 || open >= end) return false;
  const close = route.indexOf('}', open);
  return close > open && close < end;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function sameText(a: string, aStart: number, aEnd: number, b: string, bStart: number): boolean {
  for (let i = 0; i < aEnd - aStart; i++) {
    const x = a.charCodeAt(aStart + i);
    const y = b.charCodeAt(bStart + i);
    // Routers commonly match literal segments case-insensitively; ASCII folding is enough here.
    if (x !== y && !(isAsciiLetter(x) && (x | 32) === (y | 32))) return false;
  }
  return true;
}

function decodeSegment(raw: string): string {
  let id = raw;
  if (id.includes('%')) {
    try {
      id = decodeURIComponent(id);
    } catch {
      // Malformed escapes (`%E0%A4%A`, a lone `%`) are data too: keep the segment as sent.
    }
  }
  if (id.length <= EVENT_LIMITS.resourceId) return id;
  // Same bound as a given resource_id, cut without splitting a surrogate pair.
  const cut = EVENT_LIMITS.resourceId;
  const last = id.charCodeAt(cut - 1);
  return id.slice(0, last >= 0xd800 && last <= 0xdbff ? cut - 1 : cut);
}

/**
 * The path segment under the route's last `{param}` (or `:param`) segment, with literal text
 * around a single `{param}` inside the segment (`{id}.json`) stripped; null if the route has no
 * parameter or cannot be aligned with the path.
 *
 * Equal segment counts align by position: the gateway matched this route to this path. A longer
 * path aligns by its end (routes are often logged without a mount prefix such as `/api`), but
 * only when every literal route segment then matches, since a greedy param could also explain it.
 */
function segmentUnderLastParam(path: string, pathCount: number, route: string): string | null {
  const routeCount = scanSegments(route, routeStarts, routeEnds);
  if (pathCount < routeCount) return null;
  let param = routeCount - 1;
  while (param >= 0 && !isParamSegment(route, routeStarts[param] ?? 0, routeEnds[param] ?? 0)) {
    param--;
  }
  if (param < 0) return null;

  const offset = pathCount - routeCount;
  if (offset > 0) {
    for (let j = 0; j < routeCount; j++) {
      const rs = routeStarts[j] ?? 0;
      const re = routeEnds[j] ?? 0;
      if (isParamSegment(route, rs, re)) continue;
      const ps = pathStarts[j + offset] ?? 0;
      if ((pathEnds[j + offset] ?? 0) - ps !== re - rs || !sameText(route, rs, re, path, ps)) {
        return null;
      }
    }
  }

  let start = pathStarts[param + offset] ?? 0;
  let end = pathEnds[param + offset] ?? 0;
  const paramStart = routeStarts[param] ?? 0;
  const paramEnd = routeEnds[param] ?? 0;
  const open = route.indexOf('{', paramStart);
  const close = route.indexOf('}', open);
  if (
    open >= 0 &&
    close > open &&
    close < paramEnd &&
    route.lastIndexOf('{', paramEnd - 1) === open
  ) {
    const before = open - paramStart;
    const after = paramEnd - close - 1;
    if (
      end - start > before + after &&
      sameText(route, paramStart, open, path, start) &&
      sameText(route, close + 1, paramEnd, path, end - after)
    ) {
      start += before;
      end -= after;
    }
  }
  return decodeSegment(path.slice(start, end));
}

/**
 * Whether a path segment looks like a resource ID rather than a collection or action name: it
 * contains a digit (numeric IDs, UUIDs, ULIDs, almost all prefixed IDs), or it is a prefix, `_`
 * and a mixed-case token of 8+ letters (a base62 ID that happens to have no digit).
 */
function looksLikeId(s: string, start: number, end: number): boolean {
  let underscore = -1;
  let lower = false;
  let upper = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
    if (c === UNDERSCORE && underscore < 0) {
      underscore = i;
    } else if (underscore >= 0) {
      if (c >= 97 && c <= 122) lower = true;
      else if (c >= 65 && c <= 90) upper = true;
    }
  }
  return underscore > start && end - underscore - 1 >= 8 && lower && upper;
}

function isVersionSegment(s: string, start: number, end: number): boolean {
  // Cheap pre-check so that only plausible candidates are sliced for the regex.
  const second = s.charCodeAt(start + 1);
  if ((s.charCodeAt(start) | 32) !== 118 /* v */ || !(second >= 48 && second <= 57)) return false;
  return VERSION_SEGMENT.test(s.slice(start, end));
}

/**
 * Derives the addressed resource's ID from the raw request path: the segment under the route's
 * last parameter when a route is given and aligns, else the last segment that looks like an ID
 * and is not an API version. The result is URL-decoded (kept raw if malformed) and bounded like
 * a given `resource_id`; null if there is none.
 */
export function deriveResourceId(path: string, route: string | null): string | null {
  const count = scanSegments(path, pathStarts, pathEnds);
  if (route !== null) {
    const fromRoute = segmentUnderLastParam(path, count, route);
    if (fromRoute !== null) return fromRoute;
  }
  for (let j = count - 1; j >= 0; j--) {
    const start = pathStarts[j] ?? 0;
    const end = pathEnds[j] ?? 0;
    if (looksLikeId(path, start, end) && !isVersionSegment(path, start, end)) {
      return decodeSegment(path.slice(start, end));
    }
  }
  return null;
}
