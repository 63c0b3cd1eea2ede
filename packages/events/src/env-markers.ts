/** Marker segment (lower-case letters) → environment name. */
export type EnvMarkers = Readonly<Record<string, string>>;

export const DEFAULT_ENV_MARKERS: EnvMarkers = Object.freeze({
  live: 'production',
  prod: 'production',
  test: 'staging',
  stg: 'staging',
  staging: 'staging',
  sbx: 'sandbox',
  sandbox: 'sandbox',
  dev: 'development',
});

// A marker can only ever match a prefix segment, and prefix segments are ASCII letters only.
const MARKER = /^[A-Za-z]+$/;
const ENV_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Lower-cased lookup table for markers, rejecting entries that could never match. A Map rather
 * than the record itself, so that a segment such as `constructor` finds nothing inherited.
 */
export function toMarkerMap(markers: EnvMarkers): Map<string, string> {
  const map = new Map<string, string>();
  for (const [marker, env] of Object.entries(markers)) {
    if (!MARKER.test(marker)) {
      throw new Error(`env marker ${JSON.stringify(marker)}: expected ASCII letters only`);
    }
    if (!ENV_NAME.test(env)) {
      throw new Error(
        `env marker ${JSON.stringify(marker)}: environment ${JSON.stringify(env)} must be letters, digits, '_' or '-'`,
      );
    }
    map.set(marker.toLowerCase(), env);
  }
  return map;
}

/**
 * Parses `live:production,prod:production,test:staging` (the `ENV_MARKERS` setting) into a
 * marker record. Whitespace around entries is ignored; an empty or blank spec means no markers.
 * Markers are matched case-insensitively, so they are returned lower-cased, and a marker given
 * twice is an error even with the same environment: it is almost always a typo for another one.
 */
export function parseEnvMarkers(spec: string): Record<string, string> {
  const markers: Record<string, string> = {};
  if (spec.trim() === '') return markers;
  const entries = spec.split(',');
  for (const [index, raw] of entries.entries()) {
    const entry = raw.trim();
    const where = `ENV_MARKERS entry ${index + 1} (${JSON.stringify(raw)})`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${where}: expected marker:environment`);
    const marker = entry.slice(0, colon).trim();
    const env = entry.slice(colon + 1).trim();
    if (!MARKER.test(marker)) {
      throw new Error(`${where}: marker must be ASCII letters only, e.g. live:production`);
    }
    if (!ENV_NAME.test(env)) {
      throw new Error(
        `${where}: environment must be letters, digits, '_' or '-', e.g. live:production`,
      );
    }
    const key = marker.toLowerCase();
    if (Object.hasOwn(markers, key)) throw new Error(`${where}: marker ${key} is given twice`);
    markers[key] = env;
  }
  return markers;
}
