import { denials } from './001-denials.js';
import { denialsPerMinute } from './002-denials-per-minute.js';
import { requestTotals } from './003-request-totals.js';
import { detectionInputs } from './004-detection-inputs.js';
import { alerts } from './005-alerts.js';
import { partitionLag } from './006-partition-lag.js';
import { knownResources } from './007-known-resources.js';
import { partitionClock } from './008-partition-clock.js';
import type { Migration } from './types.js';

/** Every migration, in order. A new one is a new file plus one line here. */
export const migrations: readonly Migration[] = [
  denials,
  denialsPerMinute,
  requestTotals,
  detectionInputs,
  alerts,
  partitionLag,
  knownResources,
  partitionClock,
];

export type { Migration, MigrationContext } from './types.js';
