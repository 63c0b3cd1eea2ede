import { ClickHouseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import {
  PERMANENT_CODES,
  RETRIABLE_CODES,
  clickHouseErrorCode,
  isRetriableClickHouseError,
} from './errors.js';

/** A server error as 18.16 sends it (a plain Error) and as the client parses a current one. */
function serverErrors(code: string, text: string): Error[] {
  return [
    new Error(`Code: ${code}, e.displayText() = DB::Exception: ${text}, e.what() = DB::Exception`),
    new ClickHouseError({ message: text, code, type: 'X' }),
  ];
}

// The 26.x texts of the two meanings of code 252 (TOO_MANY_PARTS).
const TOO_MANY_PARTITIONS =
  "Too many partitions for single INSERT block (more than 100). The limit is controlled by 'max_partitions_per_insert_block' setting.";
const TOO_MANY_PARTS =
  'Too many parts (3001 with average size of 1.2 KiB) in table db.denials. Merges are processing significantly slower than inserts';

describe('ClickHouse errors', () => {
  it('reads the code in the formats of 18.16 and of current servers', () => {
    const old = new Error(
      "Code: 60, e.displayText() = DB::Exception: Table x.y doesn't exist., e.what() = DB::Exception",
    );
    const current = new Error('Code: 60. DB::Exception: Table x.y does not exist. (UNKNOWN_TABLE)');
    expect(clickHouseErrorCode(old)).toBe('60');
    expect(clickHouseErrorCode(current)).toBe('60');
    expect(clickHouseErrorCode(new Error('connect ECONNREFUSED 127.0.0.1:8123'))).toBeUndefined();
  });

  it('classifies no code twice', () => {
    const both = Object.keys(PERMANENT_CODES).filter((code) => code in RETRIABLE_CODES);
    expect(both).toEqual([]);
  });

  it.each(Object.entries(PERMANENT_CODES))('does not retry %s (%s)', (code, name) => {
    for (const error of serverErrors(code, name)) {
      expect(isRetriableClickHouseError(error), error.message).toBe(false);
    }
  });

  it.each(Object.entries(RETRIABLE_CODES))('retries %s (%s)', (code, name) => {
    for (const error of serverErrors(code, name)) {
      expect(isRetriableClickHouseError(error), error.message).toBe(true);
    }
  });

  it('does not retry 252 "too many partitions for single INSERT block": the same block fails again', () => {
    for (const error of serverErrors('252', TOO_MANY_PARTITIONS)) {
      expect(isRetriableClickHouseError(error), error.message).toBe(false);
    }
  });

  it('retries 252 "too many parts": merges catch up', () => {
    for (const error of serverErrors('252', TOO_MANY_PARTS)) {
      expect(isRetriableClickHouseError(error), error.message).toBe(true);
    }
  });

  it('retries network errors, which carry no code', () => {
    for (const message of ['connect ECONNREFUSED 127.0.0.1:8123', 'socket hang up', 'Timeout']) {
      expect(isRetriableClickHouseError(new Error(message))).toBe(true);
    }
    expect(isRetriableClickHouseError('not even an Error')).toBe(true);
  });

  it('retries a code in neither list (a visible stall, not a stop)', () => {
    for (const error of serverErrors('1002', 'UNKNOWN_EXCEPTION')) {
      expect(isRetriableClickHouseError(error)).toBe(true);
    }
  });
});
