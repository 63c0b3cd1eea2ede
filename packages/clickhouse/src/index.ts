export {
  createClickHouseClient,
  type ClickHouseClient,
  type ClickHouseConnection,
  type QueryLimits,
} from './client.js';
export { quoteIdentifier, quoteString, quoteUInt } from './quote.js';
export { SqlValues, sqlValues, type SqlCapabilities } from './bind.js';
export { IN_LIST_MAX_BYTES, IN_LIST_MAX_VALUES, inListChunks, queryByChunks } from './in-list.js';
export { insertTabSeparated, tabSeparatedString } from './tab-separated.js';
export { isRetriableClickHouseError, clickHouseErrorCode } from './errors.js';
export { migrate, type MigrateOptions, type MigrateResult } from './migrate.js';
export { migrations, type Migration, type MigrationContext } from './migrations/index.js';
export type { ClusterLayout } from './migrations/types.js';
export { dropExpiredPartitions } from './retention.js';
export {
  readServerCapabilities,
  serverCapabilities,
  parseServerVersion,
  capabilitiesOf,
  type ServerCapabilities,
  type ServerVersion,
} from './server-version.js';
