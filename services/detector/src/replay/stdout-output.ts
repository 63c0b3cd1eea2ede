import type { IncidentTransition, TransitionOutput } from '@denyscope/incidents';
import { toAlert } from '@denyscope/incidents';

export type TransitionCounts = Map<string, { opened: number; escalated: number; resolved: number }>;

/**
 * Replay's output: each state change as one alert-contract JSON object per line, counted per rule
 * for the summary. Without a writer it only counts (a what-if prints its comparison instead).
 */
export class StdoutOutput implements TransitionOutput {
  readonly name = 'stdout';

  constructor(
    private readonly write_: ((line: string) => void) | null,
    readonly counts: TransitionCounts = new Map(),
  ) {}

  write({ transition, state }: IncidentTransition): Promise<void> {
    this.write_?.(`${JSON.stringify(toAlert(state))}\n`);
    const count = this.counts.get(state.rule) ?? { opened: 0, escalated: 0, resolved: 0 };
    count[transition] += 1;
    this.counts.set(state.rule, count);
    return Promise.resolve();
  }
}
