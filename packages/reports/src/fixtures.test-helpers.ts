import { CAUSE_TEXT } from './cause-text.js';
import type { Report } from './report-schema.js';

const zero = {
  scanning: 0,
  'other-environment': 0,
  'another-account': 0,
  'test-traffic': 0,
  'stale-ids': 0,
  unexplained: 0,
};

/** A small, valid report with hostile strings where customer data goes. */
export function fixtureReport(hostile = 'inv_<script>alert("x")</script>|`tick`'): Report {
  return {
    report_version: 1,
    account_id: 'acct_<b>evil</b>|x',
    period: { since: '2026-03-01T00:00:00.000Z', until: '2026-03-03T00:00:00.000Z' },
    generated_at: '2026-03-03T00:05:00.000Z',
    totals: {
      denials: 12,
      keys: 1,
      by_cause: { ...zero, 'stale-ids': 9, 'another-account': 3 },
    },
    causes: (['another-account', 'stale-ids'] as const).map((cause) => ({
      cause,
      ...CAUSE_TEXT[cause],
      denials: cause === 'stale-ids' ? 9 : 3,
      keys: 1,
      deleted_ids: cause === 'stale-ids' ? 1 : 0,
    })),
    keys: [
      {
        key_id: `key_live_"quoted'`,
        denials: 12,
        requests: 100,
        main_cause: 'stale-ids',
        scanning_reason: null,
        causes: [
          {
            cause: 'stale-ids',
            denials: 9,
            distinct_ids: 2,
            other_account_resources: 0,
            other_accounts: 0,
            deleted_ids: 1,
            first_seen: '2026-03-01T01:00:00.000Z',
            last_seen: '2026-03-02T01:00:00.000Z',
            sample_ids: [hostile],
          },
          {
            cause: 'another-account',
            denials: 3,
            distinct_ids: 3,
            other_account_resources: 3,
            other_accounts: 2,
            deleted_ids: 0,
            first_seen: '2026-03-01T02:00:00.000Z',
            last_seen: '2026-03-01T03:00:00.000Z',
            sample_ids: [],
          },
        ],
      },
    ],
    top_patterns: [
      {
        pattern: 'sub_{ulid}|x',
        denials: 12,
        by_cause: { ...zero, 'stale-ids': 9, 'another-account': 3 },
      },
    ],
    daily: [
      {
        day: '2026-03-01',
        denials: 8,
        by_cause: { ...zero, 'stale-ids': 5, 'another-account': 3 },
      },
      { day: '2026-03-02', denials: 4, by_cause: { ...zero, 'stale-ids': 4 } },
    ],
  };
}
