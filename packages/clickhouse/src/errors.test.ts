import { describe, expect, it } from 'vitest';
import { clickHouseErrorCode, isRetriableClickHouseError } from './errors.js';

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

  it('retries network and load errors, not broken statements', () => {
    expect(isRetriableClickHouseError(new Error('connect ECONNREFUSED 127.0.0.1:8123'))).toBe(true);
    expect(
      isRetriableClickHouseError(
        new Error('Code: 252, e.displayText() = DB::Exception: Too many parts'),
      ),
    ).toBe(true);
    expect(
      isRetriableClickHouseError(
        new Error('Code: 62, e.displayText() = DB::Exception: Syntax error'),
      ),
    ).toBe(false);
    expect(
      isRetriableClickHouseError(new Error('Code: 60. DB::Exception: Table does not exist')),
    ).toBe(false);
  });
});
