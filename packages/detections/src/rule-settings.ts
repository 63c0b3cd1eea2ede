import { RULE_IDS, SEVERITIES, type RuleId } from '@denyscope/alerts';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { RULES } from './rules/index.js';

/** Per-rule settings, each parsed by its rule's own schema (defaults filled in). */
export type RuleSettings = Record<
  RuleId,
  { enabled: boolean; severity: string } & Record<string, unknown>
>;

/** A rules file or override that cannot be used; the message names the file and the field. */
export class RuleSettingsError extends Error {
  override readonly name = 'RuleSettingsError';
}

function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: string): string {
  return issues
    .map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}

function envName(rule: RuleId, field: string): string {
  return `RULE_${rule.toUpperCase().replaceAll('-', '_')}_${field}`;
}

/**
 * `window: 5m` in a rule's section is `windowMinutes` written as a duration (docs/durations.md),
 * for the rules that have a window; elsewhere it stays and the rule's schema refuses it as unknown.
 * Returns whether it was renamed, so errors can name the field the file used.
 */
function windowAlias(id: RuleId, section: Record<string, unknown>, source: string): boolean {
  if (!('window' in section)) return false;
  const defaults = RULES[id].settings.safeParse({});
  if (!defaults.success || !('windowMinutes' in (defaults.data as object))) return false;
  if ('windowMinutes' in section) {
    throw new RuleSettingsError(
      `${source}: rules.${id}: expected one of window and windowMinutes, not both`,
    );
  }
  section.windowMinutes = section.window;
  delete section.window;
  return true;
}

/**
 * Settings of every rule: the catalog defaults, overridden by the optional rules file (YAML or
 * JSON: `{ rules: { <rule-id>: { enabled, severity, … } } }`), overridden by environment
 * variables `RULE_<ID>_ENABLED` and `RULE_<ID>_SEVERITY` (e.g. RULE_ID_ENUMERATION_ENABLED=false).
 */
export function loadRuleSettings(
  options: { file?: string | undefined; env?: Record<string, string | undefined> } = {},
): RuleSettings {
  const env = options.env ?? process.env;
  let fromFile: Record<string, unknown> = {};
  const source = options.file ?? 'defaults';
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (error) {
      throw new RuleSettingsError(
        `${options.file}: cannot read rules file (${(error as Error).message})`,
      );
    }
    let document: unknown;
    try {
      document = /\.json$/i.test(options.file) ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new RuleSettingsError(
        `${options.file}: not valid ${/\.json$/i.test(options.file) ? 'JSON' : 'YAML'} (${(error as Error).message})`,
      );
    }
    // An empty file is all defaults; anything else is a map whose only key is `rules`, so that a
    // misspelled `rule:` or `Rules:` is an error rather than every rule silently at its defaults.
    if (document !== null && document !== undefined) {
      if (typeof document !== 'object' || Array.isArray(document)) {
        throw new RuleSettingsError(`${options.file}: expected a map with the key rules`);
      }
      const unknown = Object.keys(document).filter((key) => key !== 'rules');
      if (unknown.length > 0) {
        throw new RuleSettingsError(
          `${options.file}: ${unknown[0]}: unknown key (the file has one key, rules)`,
        );
      }
    }
    const rules = (document as { rules?: unknown } | null | undefined)?.rules ?? {};
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
      throw new RuleSettingsError(`${options.file}: rules: expected a map of rule ID to settings`);
    }
    for (const id of Object.keys(rules)) {
      if (!(RULE_IDS as readonly string[]).includes(id)) {
        throw new RuleSettingsError(
          `${options.file}: rules.${id}: unknown rule (known: ${RULE_IDS.join(', ')})`,
        );
      }
    }
    fromFile = rules as Record<string, unknown>;
  }

  const result = {} as RuleSettings;
  for (const id of RULE_IDS) {
    const section = { ...((fromFile[id] as Record<string, unknown> | undefined) ?? {}) };
    const aliased = windowAlias(id, section, source);
    const enabled = env[envName(id, 'ENABLED')];
    if (enabled !== undefined && enabled !== '') {
      if (!['true', 'false'].includes(enabled)) {
        throw new RuleSettingsError(
          `${envName(id, 'ENABLED')}: expected true or false (got ${JSON.stringify(enabled)})`,
        );
      }
      section.enabled = enabled === 'true';
    }
    const severity = env[envName(id, 'SEVERITY')];
    if (severity !== undefined && severity !== '') {
      if (!(SEVERITIES as readonly string[]).includes(severity)) {
        throw new RuleSettingsError(
          `${envName(id, 'SEVERITY')}: expected one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(severity)})`,
        );
      }
      section.severity = severity;
    }
    const parsed = RULES[id].settings.safeParse(section);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) =>
        aliased && issue.path[0] === 'windowMinutes'
          ? { ...issue, path: ['window', ...issue.path.slice(1)] }
          : issue,
      );
      throw new RuleSettingsError(`${source}: ${describeIssues(issues, `rules.${id}`)}`);
    }
    result[id] = parsed.data as RuleSettings[RuleId];
  }
  return result;
}
