import type { ApiEvent } from './api-event.js';
import type { IdClassification } from './id-classifier.js';

/**
 * The environment a resource belongs to: the platform's own `resource_env` when it gave one
 * (authoritative), else the environment named by the ID's marker, else null, which means "the
 * environment the event was seen in". A null classification stands for "no resource ID".
 */
export function effectiveResourceEnv(
  event: Pick<ApiEvent, 'resourceEnv'>,
  classification: Pick<IdClassification, 'markerEnv'> | null,
): string | null {
  return event.resourceEnv ?? classification?.markerEnv ?? null;
}
