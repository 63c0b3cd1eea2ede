export type SchedulePeriod = 'daily' | 'weekly';

const DAY_MS = 86_400_000;

/** Cron patterns (UTC) of the `reports` job scheduler: a few minutes after the period ends. */
export const SCHEDULE_PATTERNS: Record<SchedulePeriod, string> = {
  daily: '5 0 * * *',
  weekly: '15 0 * * 1',
};

/**
 * The last complete period before `now`, in UTC: yesterday for daily reports, the 7 days up to
 * the latest Monday 00:00 for weekly ones.
 */
export function completedPeriod(period: SchedulePeriod, now: Date): { since: Date; until: Date } {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  if (period === 'daily') return { since: new Date(today - DAY_MS), until: new Date(today) };
  // 1970-01-01 was a Thursday: days since the latest Monday are (dayNumber + 3) mod 7.
  const sinceMonday = ((Math.floor(today / DAY_MS) + 3) % 7) * DAY_MS;
  const until = today - sinceMonday;
  return { since: new Date(until - 7 * DAY_MS), until: new Date(until) };
}
