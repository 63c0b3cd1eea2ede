import { ClickHouseError } from '@clickhouse/client';

// Every server error code that ingest (and the other writers and readers) can meet, classified on
// purpose: permanent = the statement, the data or the credentials are wrong, and sending the same
// thing again gives the same answer; retriable = the server is busy, short of a resource or cut
// off, and the same statement may succeed later. Ingest never commits a batch it could not store,
// so retrying loses nothing; a permanent error stops it (retrying would stall it forever).
// Codes and names: ClickHouse src/Common/ErrorCodes.cpp. errors.test.ts has one case per entry.

/** The statement, the rows or the credentials are wrong: retrying cannot help. */
export const PERMANENT_CODES: Readonly<Record<string, string>> = {
  '6': 'CANNOT_PARSE_TEXT',
  '8': 'THERE_IS_NO_COLUMN',
  '10': 'NOT_FOUND_COLUMN_IN_BLOCK',
  '16': 'NO_SUCH_COLUMN_IN_TABLE',
  '20': 'NUMBER_OF_COLUMNS_DOESNT_MATCH',
  '26': 'CANNOT_PARSE_QUOTED_STRING',
  '27': 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  '33': 'CANNOT_READ_ALL_DATA',
  '36': 'BAD_ARGUMENTS',
  '38': 'CANNOT_PARSE_DATE',
  '41': 'CANNOT_PARSE_DATETIME',
  '43': 'ILLEGAL_TYPE_OF_ARGUMENT',
  '44': 'ILLEGAL_COLUMN',
  '46': 'UNKNOWN_FUNCTION',
  '47': 'UNKNOWN_IDENTIFIER',
  '53': 'TYPE_MISMATCH',
  '60': 'UNKNOWN_TABLE',
  '62': 'SYNTAX_ERROR',
  '70': 'CANNOT_CONVERT_TYPE',
  '72': 'CANNOT_PARSE_NUMBER',
  '81': 'UNKNOWN_DATABASE',
  '115': 'UNKNOWN_SETTING',
  '117': 'INCORRECT_DATA',
  '131': 'TOO_LARGE_STRING_SIZE',
  // The user may not write at all (a read-only profile): a configuration mistake.
  '164': 'READONLY',
  '192': 'UNKNOWN_USER',
  '193': 'WRONG_PASSWORD',
  '194': 'REQUIRED_PASSWORD',
  '195': 'IP_ADDRESS_NOT_ALLOWED',
  '291': 'DATABASE_ACCESS_DENIED',
  '321': 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  '349': 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  '497': 'ACCESS_DENIED',
  '516': 'AUTHENTICATION_FAILED',
};

/** The server is overloaded, short of a resource or cut off from its peers: try again later. */
export const RETRIABLE_CODES: Readonly<Record<string, string>> = {
  '159': 'TIMEOUT_EXCEEDED',
  '173': 'CANNOT_ALLOCATE_MEMORY',
  // The quota's interval ends.
  '201': 'QUOTA_EXPIRED',
  '202': 'TOO_MANY_SIMULTANEOUS_QUERIES',
  '203': 'NO_FREE_CONNECTION',
  '209': 'SOCKET_TIMEOUT',
  '210': 'NETWORK_ERROR',
  '225': 'NO_ZOOKEEPER',
  '236': 'ABORTED',
  '241': 'MEMORY_LIMIT_EXCEEDED',
  // A replicated table goes read-only while its replica has lost ZooKeeper/Keeper.
  '242': 'TABLE_IS_READ_ONLY',
  // An operator frees disk; nothing of the batch was committed meanwhile.
  '243': 'NOT_ENOUGH_SPACE',
  // Too many parts in a partition or in total: merges catch up (the server's own backpressure).
  // The other meaning of 252 is permanent: see TOO_MANY_PARTITIONS below.
  '252': 'TOO_MANY_PARTS',
  '279': 'ALL_CONNECTION_TRIES_FAILED',
  '285': 'TOO_FEW_LIVE_REPLICAS',
  '286': 'UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE',
  // The insert may or may not have landed: sending it again is folded (every table folds
  // repeated rows, see ClickHouseWriter.storeBatch).
  '319': 'UNKNOWN_STATUS_OF_INSERT',
  // The server is shutting down.
  '394': 'QUERY_WAS_CANCELLED',
  '999': 'KEEPER_EXCEPTION',
};

/**
 * Code 252 also means "Too many partitions for single INSERT block (more than N)"
 * (`max_partitions_per_insert_block`, 100 by default since 19.x; 18.16 has no such limit). The
 * same block fails the same way every time, so that 252 is permanent. ClickHouseWriter splits
 * every insert into blocks of at most 90 days, so it cannot happen there.
 */
const TOO_MANY_PARTITIONS = /Too many partitions for single INSERT block/i;

/**
 * The server's error code of a failed call, or undefined for network errors. The client parses
 * current servers' `Code: 60. DB::Exception` into ClickHouseError, but 18.16 answers
 * `Code: 60, e.displayText() = DB::Exception…`, which reaches us as a plain Error: read both.
 */
export function clickHouseErrorCode(error: unknown): string | undefined {
  if (error instanceof ClickHouseError) return error.code;
  if (!(error instanceof Error)) return undefined;
  return /^Code: (\d+)[.,]/.exec(error.message)?.[1];
}

/**
 * Whether a failed ClickHouse call may succeed if tried again later. Network errors (no code)
 * are retriable. A code in neither list is retriable too: ingest then pauses and logs every
 * attempt with the error (a stall that shows), instead of stopping on something merely unknown.
 */
export function isRetriableClickHouseError(error: unknown): boolean {
  const code = clickHouseErrorCode(error);
  if (code === undefined) return true;
  if (code === '252') return !(error instanceof Error && TOO_MANY_PARTITIONS.test(error.message));
  return !Object.hasOwn(PERMANENT_CODES, code);
}
