import { RULE_IDS } from '@denyscope/alerts';
import {
  createClickHouseClient,
  migrate,
  quoteIdentifier,
  serverCapabilities,
} from '@denyscope/clickhouse';
import type { SharedConfig } from '@denyscope/config';
import type { RuleSettings } from '@denyscope/detections';
import type { Logger } from '@denyscope/telemetry';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AlertsTableOutput, MemoryIncidentStore } from '@denyscope/incidents';
import { queryRunner } from '../clickhouse-query.js';
import type { DetectorConfig } from '../config.js';
import { evaluateAt } from '../evaluation.js';
import { IncidentManager } from '../incident-manager.js';
import type { TransitionOutput } from '@denyscope/incidents';
import {
  compareIncidents,
  formatComparison,
  IncidentCollector,
  type Comparison,
} from './compare.js';
import { loadEvents, type LoadSummary } from '@denyscope/intake';
import { StdoutOutput } from './stdout-output.js';

export interface ReplayOptions {
  input: Readable;
  /** Event-time distance between two evaluations. */
  stepMs: number;
  keepDatabase: boolean;
  writeOut: (line: string) => void;
  writeErr: (line: string) => void;
  progress: boolean;
  /**
   * What-if: also evaluate the same stored events with these baseline settings, and write the
   * incidents each rule set opens that the other does not (instead of the alert lines).
   */
  compare?: { baseline: RuleSettings; names: { baseline: string; candidate: string } };
}

/**
 * What a replay reads: the shared settings, the detector's section, and of ingest's (which this
 * service cannot import) the one setting its intake takes; without it, intake's default.
 */
export type ReplayConfig = SharedConfig & {
  detector: DetectorConfig;
  ingest?: { keyReadsPerMinute: number };
};

export interface ReplayResult {
  database: string;
  load: LoadSummary;
  evaluations: number;
  alerts: StdoutOutput['counts'];
  /** With `compare`: the incidents of the baseline and the candidate rule sets, paired. */
  comparison?: Comparison;
}

/**
 * Replays v1 events into a fresh database and sweeps detection over their event-time span, one
 * evaluation every `stepMs` of event time, then on for the resolve period so incidents that go
 * quiet are seen resolving. The events are stored by ingest's own intake and writer
 * (`loadEvents`), and judged by the same rules and incident logic as the live services. Time is
 * the events' own: evaluations do not follow the order in which lines arrive.
 */
export async function runReplay(
  config: ReplayConfig,
  settings: RuleSettings,
  log: Logger,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const database = `replay_${new Date().toISOString().slice(0, 10).replaceAll('-', '')}_${randomBytes(4).toString('hex')}`;
  const connection = { ...config.clickhouse, database };
  await migrate(connection, { retentionDays: 3650 });
  const client = createClickHouseClient(connection);
  try {
    const load = await loadEvents(options.input, client, {
      environments: config.events.environments,
      envMarkers: config.events.envMarkers,
      maxMessageBytes: config.events.maxMessageBytes,
      ...(config.ingest === undefined
        ? {}
        : { keyReadsPerMinute: config.ingest.keyReadsPerMinute }),
      ...(options.progress
        ? { onProgress: (n: number) => options.writeErr(`\rloaded ${n} lines`) }
        : {}),
    });
    if (options.progress) options.writeErr('\n');

    const step = options.stepMs;
    const first = Math.floor(load.minTs / step) * step + step;
    const last = load.maxTs + config.detector.resolveAfterMs + step;
    const total = Math.ceil((last - first) / step) + 1;
    /** One sweep over the events' time with one rule set; each sweep has its own incidents. */
    const sweep = async (rules: RuleSettings, outputs: TransitionOutput[], label = '') => {
      const store = new MemoryIncidentStore();
      const deps = {
        settings: rules,
        store,
        // The same cap as live (DETECT_MAX_NEW_INCIDENTS_PER_RULE), so replay pages as live would.
        manager: new IncidentManager(store, config.detector.resolveAfterMs, {
          maxNewIncidentsPerRule: config.detector.maxNewIncidentsPerRule,
        }),
        outputs,
        query: queryRunner(client),
        capabilities: await serverCapabilities(client),
        log,
      };
      let done = 0;
      if (load.events === 0) return done;
      for (let at = first; at <= last; at += step) {
        await evaluateAt(deps, new Date(at));
        done += 1;
        if (options.progress && done % 10 === 0) {
          options.writeErr(`\revaluated ${label}${done}/${total}`);
        }
      }
      if (options.progress) options.writeErr('\n');
      return done;
    };

    if (options.compare !== undefined) {
      const counted = new StdoutOutput(null);
      const baseline = new IncidentCollector();
      const candidate = new IncidentCollector();
      await sweep(options.compare.baseline, [baseline], 'A ');
      const evaluations = await sweep(settings, [candidate, counted], 'B ');
      const comparison = compareIncidents(baseline.incidents, candidate.incidents);
      options.writeOut(formatComparison(comparison, options.compare.names));
      return { database, load, evaluations, alerts: counted.counts, comparison };
    }
    const stdout = new StdoutOutput(options.writeOut);
    const evaluations = await sweep(settings, [new AlertsTableOutput(client), stdout]);
    return { database, load, evaluations, alerts: stdout.counts };
  } finally {
    if (!options.keepDatabase) {
      await client
        .command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
        .catch(() => undefined);
    }
    await client.close();
  }
}

/** The stderr report: malformed lines by reason, and with --summary the alerts per rule. */
export function replayReport(result: ReplayResult, withSummary: boolean): string {
  const { load } = result;
  const lines = [
    `replay: ${load.lines} lines, ${load.events} events, ${load.denials} denials, ${load.malformed} malformed, ${result.evaluations} evaluations`,
  ];
  for (const [reason, { count, lines: at }] of load.malformedByReason) {
    lines.push(
      `  malformed ×${count}: ${reason} (lines ${at.join(', ')}${count > at.length ? ', …' : ''})`,
    );
  }
  if (withSummary) {
    lines.push('alerts by rule (opened / escalated / resolved):');
    for (const rule of RULE_IDS) {
      const c = result.alerts.get(rule) ?? { opened: 0, escalated: 0, resolved: 0 };
      lines.push(`  ${rule.padEnd(24)} ${c.opened} / ${c.escalated} / ${c.resolved}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
