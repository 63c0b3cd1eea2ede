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
    const rules = (document as { rules?: unknown } | null)?.rules ?? {};
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
      throw new RuleSettingsError(
        `${source}: ${describeIssues(parsed.error.issues, `rules.${id}`)}`,
      );
    }
    result[id] = parsed.data as RuleSettings[RuleId];
  }
  return result;
}
