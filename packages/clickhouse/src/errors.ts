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

/** Whether a failed ClickHouse call may succeed if tried again later. */
export function isRetriableClickHouseError(error: unknown): boolean {
  if (error instanceof ClickHouseError) return !PERMANENT_CODES.has(error.code);
  return true;
}

export function clickHouseErrorCode(error: unknown): string | undefined {
  return error instanceof ClickHouseError ? error.code : undefined;
}
