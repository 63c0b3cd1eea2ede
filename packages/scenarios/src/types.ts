import type { RuleId, Severity } from '@denyscope/alerts';
import type { GeneratedEvent } from './event-stream.js';

export type { RuleId, Severity };

export interface ScenarioContext {
  /** The only source of randomness: the same seed gives the same scenario, event for event. */
  random: () => number;
  startMs: number;
  /**
   * Event time span to spread over: every event falls in `[startMs, startMs + durationMs)`.
   * Shapes with a length of their own (a 3-minute burst) are placed at a random offset inside it;
   * a generator throws a RangeError when its shape does not fit.
   */
  durationMs: number;
  /** Environment of the traffic where the shape leaves it open; default `production`. */
  env?: string;
}

/**
 * Who an alert is about, as in the alert contract: key rules name `key_id` (and the key's
 * `account_id`), network rules (`distributed-enumeration`) `client_ip`. Match on the field of the
 * rule's subject kind (RULE_SUBJECT_KINDS), as `alertSubjectId` does.
 */
export interface ScenarioSubject {
  key_id?: string;
  account_id?: string;
  client_ip?: string;
}

export interface ScenarioExpectation {
  rule: RuleId;
  subject: ScenarioSubject;
  severity?: Severity;
}

export interface LabelledScenario {
  /** e.g. `attack:id-enumeration:sequential`, `benign:corporate-nat`. */
  name: string;
  kind: 'attack' | 'benign';
  /**
   * For attacks: the rule that must fire, its subject and severity. For benign shapes: the
   * rules that must stay silent for each subject of the shape.
   */
  expect: ScenarioExpectation[];
  /**
   * Attacks only: the other rules that must stay silent for the scenario's subjects (each attack
   * is shaped to cross its own rule and no other), e.g. stale IDs must not raise id-enumeration.
   */
  silent?: ScenarioExpectation[];
  /** Sorted by `ts`. */
  events: GeneratedEvent[];
}
