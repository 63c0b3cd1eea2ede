import type { RuleId } from '@denyscope/alerts';
import type { IncidentState } from './incident.js';

export interface Mute {
  rule: RuleId;
  subjectKey: string;
  reason: string;
  until: string;
  by: string;
}

/**
 * Where incident state lives between evaluations: Redis for the detector service (shared by its
 * instances), memory for replay and tests.
 */
export interface IncidentStore {
  get(rule: RuleId, subjectKey: string): Promise<IncidentState | null>;
  /** Every incident currently firing. */
  listFiring(): Promise<IncidentState[]>;
  save(state: IncidentState): Promise<void>;
  activeMute(rule: RuleId, subjectKey: string, at: Date): Promise<Mute | null>;
  /** The watermark of the last evaluation whose state was saved (null before the first). */
  lastEvaluated(): Promise<Date | null>;
  saveLastEvaluated(watermark: Date): Promise<void>;
}

export class MemoryIncidentStore implements IncidentStore {
  private readonly incidents = new Map<string, IncidentState>();
  private readonly mutes = new Map<string, Mute>();
  private evaluated: Date | null = null;

  get(rule: RuleId, subjectKey: string): Promise<IncidentState | null> {
    return Promise.resolve(this.incidents.get(`${rule}\n${subjectKey}`) ?? null);
  }

  listFiring(): Promise<IncidentState[]> {
    return Promise.resolve([...this.incidents.values()].filter((s) => s.status === 'firing'));
  }

  save(state: IncidentState): Promise<void> {
    this.incidents.set(`${state.rule}\n${state.subjectKey}`, structuredClone(state));
    return Promise.resolve();
  }

  mute(mute: Mute): void {
    this.mutes.set(`${mute.rule}\n${mute.subjectKey}`, mute);
  }

  activeMute(rule: RuleId, subjectKey: string, at: Date): Promise<Mute | null> {
    const mute = this.mutes.get(`${rule}\n${subjectKey}`);
    return Promise.resolve(mute && new Date(mute.until) > at ? mute : null);
  }

  lastEvaluated(): Promise<Date | null> {
    return Promise.resolve(this.evaluated);
  }

  saveLastEvaluated(watermark: Date): Promise<void> {
    this.evaluated = watermark;
    return Promise.resolve();
  }
}
