import { ClickHouseError } from '@clickhouse/client';

// Error codes that mean "the statement itself is wrong": retrying cannot help. Everything else
// from the server (memory limits, too many parts, timeouts) and every network error may pass.
// Codes: ClickHouse src/Common/ErrorCodes.cpp.
const PERMANENT_CODES = new Set([
  '6', // CANNOT_PARSE_TEXT
  '16', // NO_SUCH_COLUMN_IN_TABLE
  '26', // CANNOT_PARSE_QUOTED_STRING
  '27', // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '36', // BAD_ARGUMENTS
  '38', // CANNOT_PARSE_DATE
  '41', // CANNOT_PARSE_DATETIME
  '43', // ILLEGAL_TYPE_OF_ARGUMENT
  '46', // UNKNOWN_FUNCTION
  '47', // UNKNOWN_IDENTIFIER
  '60', // UNKNOWN_TABLE
  '62', // SYNTAX_ERROR
  '72', // CANNOT_PARSE_NUMBER
  '81', // UNKNOWN_DATABASE
  '115', // UNKNOWN_SETTING
  '117', // INCORRECT_DATA
  '192', // UNKNOWN_USER
  '193', // WRONG_PASSWORD
  '516', // AUTHENTICATION_FAILED
]);

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

/** Whether a failed ClickHouse call may succeed if tried again later. */
export function isRetriableClickHouseError(error: unknown): boolean {
  const code = clickHouseErrorCode(error);
  return code === undefined || !PERMANENT_CODES.has(code);
}
