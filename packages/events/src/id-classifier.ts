import { DEFAULT_ENV_MARKERS, toMarkerMap } from './env-markers.js';
import type { EnvMarkers } from './env-markers.js';
import { bodyShape, isAsciiLetter, isUuidAt, safeIntegerAt } from './id-shape.js';

export interface IdClassification {
  /** Letter prefix kept verbatim plus the body's shape: `inv_{int}`, `{uuid}`, `sub_test_{ulid}`. */
  pattern: string;
  /** Value of an `{int}` body when it is a safe integer, for sequential-scan detection. */
  numeric: number | null;
  /** Environment named by a marker segment of the prefix (`sub_test_…` → staging). */
  markerEnv: string | null;
}

export type IdClassifier = (id: string) => IdClassification;

export interface IdClassifierOptions {
  /** Marker segment → environment; defaults to `DEFAULT_ENV_MARKERS`. */
  markers?: EnvMarkers | undefined;
}

/** Longer IDs are classified `{long}` without looking at them. */
export const MAX_CLASSIFIED_ID_LENGTH = 256;

/**
 * Longer prefixes make the ID `{long}`: the prefix is copied into the pattern, and patterns are
 * a ClickHouse grouping key that callers must not be able to inflate.
 */
export const MAX_ID_PREFIX_LENGTH = 64;

const UNDERSCORE = 95;
const HYPHEN = 45;

function long(): IdClassification {
  return { pattern: '{long}', numeric: null, markerEnv: null };
}

/**
 * Returns a classifier that reduces a resource ID to a bounded pattern, its numeric part and
 * the environment its prefix names. The marker table is compiled once here, not per ID.
 */
export function createIdClassifier(opts: IdClassifierOptions = {}): IdClassifier {
  const markers = toMarkerMap(opts.markers ?? DEFAULT_ENV_MARKERS);
  let longestMarker = 0;
  for (const marker of markers.keys()) longestMarker = Math.max(longestMarker, marker.length);

  function markerAt(id: string, start: number, end: number): string | null {
    if (end - start > longestMarker) return null;
    return markers.get(id.slice(start, end).toLowerCase()) ?? null;
  }

  return function classify(id: string): IdClassification {
    if (id.length > MAX_CLASSIFIED_ID_LENGTH) return long();

    // Peel off letter-only segments followed by '_' or '-'. A UUID may begin with a letter-only
    // group (`abcdefab-…`), so each step first checks whether the rest is a UUID.
    let bodyStart = 0;
    let markerEnv: string | null = null;
    let hyphenated = false;
    for (;;) {
      if (isUuidAt(id, bodyStart)) break;
      let end = bodyStart;
      while (end < id.length && isAsciiLetter(id.charCodeAt(end))) end++;
      // A segment needs a delimiter and something after it; otherwise it is the body.
      if (end === bodyStart || end >= id.length - 1) break;
      const delimiter = id.charCodeAt(end);
      if (delimiter !== UNDERSCORE && delimiter !== HYPHEN) break;
      // Markers count only after a type prefix (`sk_live_…`, `sub_test_…`): a first segment is the
      // resource type, and `dev_…` (devices) or `test_…` there names no environment.
      if (bodyStart > 0) markerEnv ??= markerAt(id, bodyStart, end);
      if (delimiter === HYPHEN) hyphenated = true;
      bodyStart = end + 1;
      if (bodyStart > MAX_ID_PREFIX_LENGTH) return long();
    }

    const shape = bodyShape(id, bodyStart);
    if (bodyStart === 0) {
      return {
        pattern: shape,
        numeric: shape === '{int}' ? safeIntegerAt(id, 0) : null,
        markerEnv: null,
      };
    }
    // Hyphenated words (`my-cool-project`) are slugs, not a type prefix plus an ID: keeping
    // their "prefix" would turn every slug into its own pattern.
    if (hyphenated && shape === '{str}') {
      return { pattern: '{str}', numeric: null, markerEnv: null };
    }
    return {
      pattern: id.slice(0, bodyStart) + shape,
      numeric: shape === '{int}' ? safeIntegerAt(id, bodyStart) : null,
      markerEnv,
    };
  };
}
