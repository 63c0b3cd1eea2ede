import { RULE_IDS, type RuleId } from '@denyscope/alerts';
import {
  RULES,
  type EvaluationContext,
  type Finding,
  type RuleSettings,
} from '@denyscope/detections';
import type { Logger } from '@denyscope/telemetry';
import type { IncidentTransition } from './incident.js';
import type { IncidentManager } from './incident-manager.js';
import type { IncidentStore } from './incident-store.js';
import type { TransitionOutput } from './outputs.js';

export interface EvaluationDeps {
  settings: RuleSettings;
  store: IncidentStore;
  manager: IncidentManager;
  outputs: readonly TransitionOutput[];
  query: EvaluationContext['query'];
  log: Logger;
}

/** Runs every enabled rule at one watermark; a rule that fails is logged and left out. */
export async function findAll(
  deps: Pick<EvaluationDeps, 'settings' | 'query' | 'log'>,
  watermark: Date,
): Promise<{ findings: Finding[]; failed: Set<RuleId> }> {
  const findings: Finding[] = [];
  const failed = new Set<RuleId>();
  const ctx: EvaluationContext = { watermark, query: deps.query };
  for (const id of RULE_IDS) {
    const settings = deps.settings[id];
    if (!settings.enabled) continue;
    try {
      findings.push(...(await RULES[id].evaluate(ctx, settings)));
    } catch (error) {
      failed.add(id);
      deps.log.error(
        { err: error, rule: id },
        'rule evaluation failed; its incidents are kept as they are',
      );
    }
  }
  return { findings, failed };
}

/**
 * One evaluation tick: findings → incident transitions → outputs (alerts table, notifications)
 * → saved state. Outputs run before the state is saved, so a crash repeats rather than loses a
 * transition; outputs are idempotent per (alert_id, version).
 */
export async function evaluateAt(
  deps: EvaluationDeps,
  watermark: Date,
): Promise<IncidentTransition[]> {
  const { findings, failed } = await findAll(deps, watermark);
  const { transitions, updates } = await deps.manager.evaluate(findings, watermark, failed);
  for (const change of transitions) {
    // Mutes expire in wall-clock time: a person set them, for a person's period.
    const mute = await deps.store.activeMute(
      change.state.rule,
      change.state.subjectKey,
      new Date(),
    );
    for (const output of deps.outputs) await output.write(change, mute !== null);
    deps.log.info(
      {
        alertId: change.state.alertId,
        rule: change.state.rule,
        transition: change.transition,
        severity: change.state.severity,
        muted: mute !== null,
        subject: change.state.subject,
      },
      'incident state changed',
    );
  }
  await deps.manager.commit([...transitions.map((t) => t.state), ...updates]);
  return transitions;
}
