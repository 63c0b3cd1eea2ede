export type { ApiEvent, ParseResult } from './api-event.js';
export { parseEvent } from './parse-event.js';
export type { ParseOptions } from './parse-event.js';
export { COUNTABLE_FIELDS, scanCountable } from './scan-countable.js';
export { V1_FIELDS, V1_STORED_COLUMNS } from './v1-fields.js';
export type { V1Field, V1FieldName, V1StoredColumn, V1StoredRow } from './v1-fields.js';
export type { CountableEvent, ScanOptions } from './scan-countable.js';
export { deriveResourceId } from './derive-resource-id.js';
export { clientNetwork } from './client-network.js';
export {
  createIdClassifier,
  MAX_CLASSIFIED_ID_LENGTH,
  MAX_ID_PREFIX_LENGTH,
} from './id-classifier.js';
export type { IdClassification, IdClassifier, IdClassifierOptions } from './id-classifier.js';
export {
  FOREIGN_SQL,
  NO_SUCH_RESOURCE,
  NO_SUCH_RESOURCE_SQL,
  NOT_OWNED_SQL,
  OWNED,
  OWNED_SQL,
  OWNER_UNKNOWN,
  ownerStateOf,
} from './owner-state.js';
export type { OwnerState } from './owner-state.js';
export { effectiveResourceEnv } from './effective-resource-env.js';
export { DEFAULT_ENV_MARKERS, parseEnvMarkers } from './env-markers.js';
export type { EnvMarkers } from './env-markers.js';
export { parseRfc3339 } from './rfc3339.js';
export {
  DEFAULT_ENVIRONMENTS,
  EVENT_LIMITS,
  GATEWAY_CLOCK_SKEW_MS,
  MAX_FUTURE_SKEW_MS,
  MIN_EVENT_TS,
} from './limits.js';
export { apiEventV1Schema, createApiEventV1Schema } from './api-event-schema.js';
export type { ApiEventSchemaOptions, ApiEventV1 } from './api-event-schema.js';
export {
  DURATION_MESSAGE,
  DURATION_PATTERN,
  DURATION_UNITS_MS,
  DurationError,
  durationRangeMessage,
  durationSchema,
  formatDuration,
  parseDuration,
} from './duration.js';
export type { DurationLimits } from './duration.js';
