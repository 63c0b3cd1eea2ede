import { replaceUnsafe, toSpaceOrReplacement, truncate } from './unsafe-chars.js';

/**
 * Untrusted text for a plain-text field (PagerDuty's `summary`, `group`, `custom_details`): one
 * line, no control characters, bidi controls or lone surrogates (see unsafe-chars.ts), at most
 * `max` code units when given, cut without breaking a surrogate pair. Nothing else changes:
 * PagerDuty shows these fields as text.
 */
export function plainText(value: string, max?: number): string {
  const clean = replaceUnsafe(value, toSpaceOrReplacement);
  return max === undefined ? clean : truncate(clean, max);
}

/** Every string in a JSON-like value through `plainText` (keys too); other values as they are. */
export function plainTextDeep<T>(value: T): T {
  return deep(value) as T;
}

function deep(value: unknown): unknown {
  if (typeof value === 'string') return plainText(value);
  if (Array.isArray(value)) return value.map(deep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [plainText(k), deep(v)]));
  }
  return value;
}
