import { DURATION_MESSAGE } from '@denyscope/events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSettings } from './rule-settings.js';

// Window lengths in the rules file take the durations of the CLI and the API (docs/durations.md).

function rulesFile(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rules-')), 'rules.yaml');
  writeFileSync(path, `rules:\n${yaml}`);
  return path;
}

const load = (yaml: string) => loadRuleSettings({ file: rulesFile(yaml), env: {} });

describe('rule window durations', () => {
  it('take `window: 5m` and durations in windowMinutes; numbers stay minutes', () => {
    const settings = load(
      [
        '  cross-tenant:\n    window: 5m',
        '  cross-environment:\n    windowMinutes: 2h',
        '  stale-resource-ids:\n    window: 3600000ms',
        '  foreign-access-success:\n    windowMinutes: 30',
      ].join('\n'),
    );
    expect(settings['cross-tenant'].windowMinutes).toBe(5);
    expect(settings['cross-tenant']).not.toHaveProperty('window');
    expect(settings['cross-environment'].windowMinutes).toBe(120);
    expect(settings['stale-resource-ids'].windowMinutes).toBe(60);
    expect(settings['foreign-access-success'].windowMinutes).toBe(30);
    expect(settings['distributed-enumeration'].windowMinutes).toBe(15);
  });

  it('refuse a bad one with the shared text, naming the field the file used', () => {
    expect(() => load('  cross-tenant:\n    window: 5 min')).toThrow(
      `rules.cross-tenant.window: ${DURATION_MESSAGE}`,
    );
    expect(() => load('  cross-tenant:\n    windowMinutes: 1.5h')).toThrow(
      `rules.cross-tenant.windowMinutes: ${DURATION_MESSAGE}`,
    );
    expect(() => load('  cross-tenant:\n    window: 25h')).toThrow(
      'rules.cross-tenant.window: expected a duration from 1m to 24h',
    );
    expect(() => load('  cross-tenant:\n    window: 90s')).toThrow(
      'rules.cross-tenant.window: expected whole minutes, e.g. 5m or 2h',
    );
    expect(() => load('  cross-tenant:\n    window: true')).toThrow(
      `rules.cross-tenant.window: expected a number of minutes or a duration: ${DURATION_MESSAGE}`,
    );
    expect(() => load('  cross-tenant:\n    window: 5m\n    windowMinutes: 5')).toThrow(
      'rules.cross-tenant: expected one of window and windowMinutes, not both',
    );
    // id-enumeration has `windows`, not one window: `window` is an unknown key there.
    expect(() => load('  id-enumeration:\n    window: 5m')).toThrow(/id-enumeration.*window/);
  });
});
