import { loadRuleSettings, RuleSettingsError, type RuleSettings } from '@denyscope/detections';
import type { Config } from '../config.js';

/**
 * Rule settings from RULES_FILE (or the given file; null: the catalog defaults) and RULE_*
 * variables, or exit 2 naming the file and field.
 */
export function ruleSettingsOrExit(config: Config, file?: string | null): RuleSettings {
  try {
    return loadRuleSettings({
      file: file === undefined ? config.detector.rulesFile : (file ?? undefined),
    });
  } catch (error) {
    if (error instanceof RuleSettingsError) {
      process.stderr.write(`denyscope: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
