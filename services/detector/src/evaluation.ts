import { RULE_IDS, type RuleId } from '@denyscope/alerts';
import {
  RULES,
  type EvaluationContext,
  type Finding,
  type PipelineHealthInput,
  type RuleSettings,
} from '@denyscope/detections';
import { activeTraceIds, getTracer, SPAN_NAMES, withSpan, type Logger } from '@denyscope/telemetry';
import type { IncidentTransition, IncidentStore, TransitionOutput } from '@denyscope/incidents';
import type { IncidentManager } from './incident-manager.js';

export interface EvaluationDeps {
  settings: RuleSettings;
  store: IncidentStore;
  manager: IncidentManager;
  outputs: readonly TransitionOutput[];
  query: EvaluationContext['query'];
  /** The server's (serverCapabilities): rules bind untrusted values as query parameters on it. */
  capabilities?: EvaluationContext['capabilities'];
  log: Logger;
}

/** Which rules one evaluation runs, and what the live detector knows of its pipeline. */
export interface EvaluationScope {
  /** Only these rules (default: every enabled rule). The others' incidents are left as they are. */
  rules?: ReadonlySet<RuleId>;
  /** Live only, for the pipeline-health rule (absent in replay). */
  health?: PipelineHealthInput;
}

const isEnabled = (deps: Pick<EvaluationDeps, 'settings'>, id: RuleId) => deps.settings[id].enabled;

const tracer = getTracer();

/**
 * Runs the enabled rules of `scope` at one watermark; a rule that fails is logged and left out,
 * with its error in `failed`.
 */
export async function findAll(
  deps: Pick<EvaluationDeps, 'settings' | 'query' | 'capabilities' | 'log'>,
  watermark: Date,
  scope: EvaluationScope = {},
): Promise<{ findings: Finding[]; failed: Map<RuleId, string> }> {
  const findings: Finding[] = [];
  const failed = new Map<RuleId, string>();
  const ctx: EvaluationContext = {
    watermark,
    query: deps.query,
    ...(deps.capabilities === undefined ? {} : { capabilities: deps.capabilities }),
    ...(scope.health === undefined ? {} : { health: scope.health }),
  };
  for (const id of RULE_IDS) {
    const settings = deps.settings[id];
    if (!settings.enabled || (scope.rules !== undefined && !scope.rules.has(id))) continue;
    try {
      // One span per rule: its ClickHouse queries are the http instrumentation's spans under it.
      const found = await withSpan(
        tracer,
        SPAN_NAMES.detectorRule,
        { 'denyscope.rule.id': id },
        async (span) => {
          const result = await RULES[id].evaluate(ctx, settings);
          span.setAttribute('denyscope.rule.findings', result.length);
          return result;
        },
      );
      findings.push(...found);
    } catch (error) {
      failed.set(id, error instanceof Error ? error.message : String(error));
      deps.log.error(
        { err: error, rule: id, watermark: watermark.toISOString() },
        'rule evaluation failed; its incidents are kept and its window is evaluated again next tick',
      );
    }
  }
  return { findings, failed };
}

/**
 * One evaluation: findings → incident transitions → outputs (alerts table, notifications)
 * → saved state. Outputs run before the state is saved, so a crash repeats rather than loses a
 * transition; outputs are idempotent per (alert_id, version). Incidents of rules that failed, or
 * that are enabled but outside `scope.rules`, are left as they are (never resolved for lack of
 * findings): they were not looked at.
 */
export function evaluateRules(
  deps: EvaluationDeps,
  watermark: Date,
  scope: EvaluationScope = {},
): Promise<{ transitions: IncidentTransition[]; failed: Map<RuleId, string> }> {
  return withSpan(
    tracer,
    SPAN_NAMES.detectorEvaluate,
    { 'denyscope.detector.watermark': watermark.toISOString() },
    async (span) => {
      const result = await evaluateInSpan(deps, watermark, scope);
      span.setAttributes({
        'denyscope.detector.transitions': result.transitions.length,
        'denyscope.detector.failed_rules': result.failed.size,
      });
      return result;
    },
  );
}

/**
 * An alert that opens or escalates an incident names the evaluation that raised it:
 * `evidence.trace_id` and `evidence.span_id` of the detector.evaluate span, whose children are
 * the rules' spans and their queries (docs/observability.md). Only when that span is recorded,
 * i.e. when spans are exported: otherwise (tests, replay, a detector without an OTLP endpoint)
 * the evidence is exactly the rule's.
 */
function withTraceIds(change: IncidentTransition): IncidentTransition {
  const ids = change.transition === 'resolved' ? undefined : activeTraceIds();
  if (ids === undefined) return change;
  return { ...change, state: { ...change.state, evidence: { ...change.state.evidence, ...ids } } };
}

async function evaluateInSpan(
  deps: EvaluationDeps,
  watermark: Date,
  scope: EvaluationScope,
): Promise<{ transitions: IncidentTransition[]; failed: Map<RuleId, string> }> {
  const { findings, failed } = await findAll(deps, watermark, scope);
  const unevaluated = new Set<string>(failed.keys());
  if (scope.rules !== undefined) {
    for (const id of RULE_IDS) {
      if (isEnabled(deps, id) && !scope.rules.has(id)) unevaluated.add(id);
    }
  }
  const evaluated = await deps.manager.evaluate(findings, watermark, unevaluated);
  const transitions = evaluated.transitions.map(withTraceIds);
  const { updates } = evaluated;
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
  return { transitions, failed };
}

/** Every enabled rule at one watermark (replay, tests); see evaluateRules. */
export async function evaluateAt(
  deps: EvaluationDeps,
  watermark: Date,
): Promise<IncidentTransition[]> {
  return (await evaluateRules(deps, watermark)).transitions;
}
