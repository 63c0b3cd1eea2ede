import { runbookPath } from '@denyscope/alerts';
import type { ClickHouseClient } from '@denyscope/clickhouse';
import type { IncidentTransition } from './incident.js';
import type { TransitionOutput } from './outputs.js';

const seconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

/** Records every state change in ClickHouse `alerts` (ReplacingMergeTree on alert_id, version). */
export class AlertsTableOutput implements TransitionOutput {
  readonly name = 'alerts-table';

  constructor(
    private readonly client: ClickHouseClient,
    private readonly now: () => number = Date.now,
  ) {}

  async write({ transition, state }: IncidentTransition, muted: boolean): Promise<void> {
    await this.client.insert({
      table: 'alerts',
      format: 'JSONEachRow',
      values: [
        {
          alert_id: state.alertId,
          version: state.version,
          transition,
          rule: state.rule,
          severity: state.severity,
          status: state.status,
          key_id: state.subject.key_id ?? '',
          account_id: state.subject.account_id ?? '',
          client_ip: state.subject.client_ip ?? '',
          component: state.subject.component ?? '',
          env: state.env,
          window_start: seconds(state.window.start),
          window_end: seconds(state.window.end),
          first_seen: seconds(state.firstSeen),
          last_seen: seconds(state.lastSeen),
          summary: state.summary,
          evidence: JSON.stringify(state.evidence),
          runbook: runbookPath(state.rule),
          muted: muted ? 1 : 0,
          note: '',
          // Explicit: JSONEachRow on 18.16 fills an omitted column with 0 (1970), not its DEFAULT.
          recorded_at: Math.floor(this.now() / 1000),
        },
      ],
    });
  }
}
