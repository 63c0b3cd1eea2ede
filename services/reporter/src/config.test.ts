import { configRejections } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadWith } from '@denyscope/config';
import { reporterSection } from './config.js';

const sections = { reporter: reporterSection };
const loadConfig = (env: Record<string, string>) => loadWith(env, sections);

const problemsOf = (env: Record<string, string>) => configRejections(env, sections);

describe('reporter section', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({}).reporter).toEqual({
      dir: 'reports',
      schedule: 'off',
      accounts: undefined,
      formats: ['html', 'json', 'md'],
      scanMinIdsPerHour: 150,
    });
  });

  it('reads the accounts, formats and schedule', () => {
    const config = loadConfig({
      REPORTS_DIR: '/var/reports',
      REPORT_SCHEDULE: 'weekly',
      REPORT_ACCOUNTS: ' acct_1, acct_2 ,,',
      REPORT_FORMATS: 'md,json,md',
      REPORT_SCAN_MIN_IDS_PER_HOUR: '40',
    });
    expect(config.reporter).toEqual({
      dir: '/var/reports',
      schedule: 'weekly',
      accounts: ['acct_1', 'acct_2'],
      formats: ['md', 'json'],
      scanMinIdsPerHour: 40,
    });
  });

  it('names the variable of a bad value', () => {
    expect(problemsOf({ REPORT_SCHEDULE: 'hourly' }).join('\n')).toMatch(/^REPORT_SCHEDULE: /);
    expect(problemsOf({ REPORT_FORMATS: 'html,pdf' }).join('\n')).toMatch(
      /REPORT_FORMATS: expected a comma-separated list of html, json, md/,
    );
    expect(problemsOf({ REPORT_ACCOUNTS: ' , ' }).join('\n')).toMatch(/^REPORT_ACCOUNTS: /);
    expect(problemsOf({ REPORT_SCAN_MIN_IDS_PER_HOUR: '0' }).join('\n')).toMatch(
      /^REPORT_SCAN_MIN_IDS_PER_HOUR: /,
    );
  });
});
