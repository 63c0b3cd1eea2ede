import type { IncidentTransition } from '../incident.js';
import { toAlert } from '../incident.js';
import type { TransitionOutput } from '../outputs.js';

/** Replay's output: each state change as one alert-contract JSON object per line. */
export class StdoutOutput implements TransitionOutput {
  readonly name = 'stdout';
  readonly counts = new Map<string, { opened: number; escalated: number; resolved: number }>();

  constructor(private readonly write_: (line: string) => void) {}

  write({ transition, state }: IncidentTransition): Promise<void> {
    this.write_(`${JSON.stringify(toAlert(state))}\n`);
    const count = this.counts.get(state.rule) ?? { opened: 0, escalated: 0, resolved: 0 };
    count[transition] += 1;
    this.counts.set(state.rule, count);
    return Promise.resolve();
  }
}
