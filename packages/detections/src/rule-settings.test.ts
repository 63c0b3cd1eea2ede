import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '@denyscope/alerts';
import { loadRuleSettings, RuleSettingsError } from './rule-settings.js';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rules-')), name);
  writeFileSync(path, text);
  return path;
}

describe('loadRuleSettings', () => {
  it('gives the catalog defaults without a file', () => {
    const settings = loadRuleSettings({ env: {} });
    expect(settings['id-enumeration']).toMatchObject({
      enabled: true,
      severity: 'high',
      minGuessShare: 0.5,
      outsideProductionSeverity: 'info',
      windows: [
        { minutes: 5, minDistinctIds: 50 },
        { minutes: 60, minDistinctIds: 100 },
      ],
    });
    expect(settings['stale-resource-ids'].severity).toBe('info');
    expect(settings['foreign-access-success'].severity).toBe('critical');
  });

  it('reads YAML and JSON files and keeps defaults for what they leave out', () => {
    const yaml = file(
      'rules.yaml',
      'rules:\n  id-enumeration:\n    minGuessShare: 0.7\n  cross-tenant:\n    enabled: false\n',
    );
    const fromYaml = loadRuleSettings({ file: yaml, env: {} });
    expect(fromYaml['id-enumeration']).toMatchObject({ minGuessShare: 0.7, severity: 'high' });
    expect(fromYaml['cross-tenant'].enabled).toBe(false);

    const json = file(
      'rules.json',
      JSON.stringify({ rules: { 'stale-resource-ids': { minDenials: 40 } } }),
    );
    expect(loadRuleSettings({ file: json, env: {} })['stale-resource-ids']).toMatchObject({
      minDenials: 40,
    });
  });

  it('lets environment variables override the file', () => {
    const yaml = file('rules.yaml', 'rules:\n  cross-tenant:\n    enabled: false\n');
    const settings = loadRuleSettings({
      file: yaml,
      env: { RULE_CROSS_TENANT_ENABLED: 'true', RULE_ID_ENUMERATION_SEVERITY: 'critical' },
    });
    expect(settings['cross-tenant'].enabled).toBe(true);
    expect(settings['id-enumeration'].severity).toBe('critical');
  });

  it('names the file and the offending field', () => {
    const bad = file('rules.yaml', 'rules:\n  id-enumeration:\n    minGuessShare: 7\n');
    expect(() => loadRuleSettings({ file: bad, env: {} })).toThrow(
      new RegExp(`${bad.replaceAll('/', '\\/')}: rules\\.id-enumeration\\.minGuessShare: `),
    );
    // A misspelled setting is an error, not a silently kept default.
    for (const id of RULE_IDS) {
      const typo = file('rules.yaml', `rules:\n  ${id}:\n    minDistinctIDs: 7\n`);
      expect(() => loadRuleSettings({ file: typo, env: {} })).toThrow(/minDistinctIDs/);
    }
    const unknown = file('rules.yaml', 'rules:\n  made-up: {}\n');
    expect(() => loadRuleSettings({ file: unknown, env: {} })).toThrow(
      /rules\.made-up: unknown rule/,
    );
    // A misspelled top-level key too: `rule:` would otherwise leave every rule at its defaults.
    for (const text of ['rule:\n  cross-tenant:\n    enabled: false\n', 'Rules: {}\n']) {
      const misspelled = file('rules.yaml', text);
      expect(() => loadRuleSettings({ file: misspelled, env: {} })).toThrow(
        /: (rule|Rules): unknown key \(the file has one key, rules\)/,
      );
    }
    expect(() => loadRuleSettings({ file: file('rules.yaml', '- rules\n'), env: {} })).toThrow(
      /expected a map with the key rules/,
    );
    // An empty file, or one with only comments, is every rule at its defaults.
    expect(loadRuleSettings({ file: file('rules.yaml', '# nothing yet\n'), env: {} })).toEqual(
      loadRuleSettings({ env: {} }),
    );
    const broken = file('rules.yaml', 'rules: [\n');
    expect(() => loadRuleSettings({ file: broken, env: {} })).toThrow(RuleSettingsError);
    expect(() => loadRuleSettings({ file: '/nonexistent/rules.yaml', env: {} })).toThrow(
      /cannot read rules file/,
    );
    expect(() => loadRuleSettings({ env: { RULE_CROSS_TENANT_ENABLED: 'yes' } })).toThrow(
      /RULE_CROSS_TENANT_ENABLED: expected true or false/,
    );
  });
});
