import type { ClickHouseClient } from '@denyscope/clickhouse';
import { createIdClassifier, parseEvent, type EnvMarkers } from '@denyscope/events';
import { PartitionTotals, denialRow, isForeignAccess, type DenialRow } from '@denyscope/ingest';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

const INSERT_EVERY = 50_000;

export interface LoadSummary {
  lines: number;
  events: number;
  denials: number;
  malformed: number;
  /** Malformed lines by reason, with the first few line numbers of each. */
  malformedByReason: Map<string, { count: number; lines: number[] }>;
  minTs: number;
  maxTs: number;
}

/**
 * Reads v1 events (one JSON object per line) and writes them as ingest would: the same parser,
 * classifier and row builders. Offsets are line numbers in a pseudo-partition "replay/0".
 */
export async function loadEvents(
  input: Readable,
  client: ClickHouseClient,
  options: {
    environments: readonly string[];
    envMarkers: EnvMarkers | undefined;
    maxMessageBytes: number;
    onProgress?: (lines: number) => void;
  },
): Promise<LoadSummary> {
  const classifier = createIdClassifier(options.envMarkers ? { markers: options.envMarkers } : {});
  const parseOptions = { environments: options.environments, maxBytes: options.maxMessageBytes };
  const summary: LoadSummary = {
    lines: 0,
    events: 0,
    denials: 0,
    malformed: 0,
    malformedByReason: new Map(),
    minTs: Number.POSITIVE_INFINITY,
    maxTs: 0,
  };
  let denials: DenialRow[] = [];
  let foreign: DenialRow[] = [];
  let totals = new PartitionTotals();

  const flush = async () => {
    totals.endOffset = String(summary.lines);
    const totalsRows = totals.rows('replay', 0);
    if (denials.length > 0)
      await client.insert({ table: 'denials', values: denials, format: 'JSONEachRow' });
    if (foreign.length > 0)
      await client.insert({ table: 'foreign_access', values: foreign, format: 'JSONEachRow' });
    if (totalsRows.length > 0)
      await client.insert({ table: 'request_totals', values: totalsRows, format: 'JSONEachRow' });
    denials = [];
    foreign = [];
    totals = new PartitionTotals();
  };

  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    summary.lines += 1;
    if (line.trim() === '') continue;
    const parsed = parseEvent(line, parseOptions);
    if (!parsed.ok) {
      summary.malformed += 1;
      const entry = summary.malformedByReason.get(parsed.reason) ?? { count: 0, lines: [] };
      entry.count += 1;
      if (entry.lines.length < 5) entry.lines.push(summary.lines);
      summary.malformedByReason.set(parsed.reason, entry);
      continue;
    }
    const event = parsed.event;
    summary.events += 1;
    summary.minTs = Math.min(summary.minTs, event.ts);
    summary.maxTs = Math.max(summary.maxTs, event.ts);
    totals.add(
      String(summary.lines),
      event.ts,
      event.env,
      event.keyId ?? '',
      event.accountId ?? '',
      event.status,
      event.isDenial,
    );
    if (event.isDenial) {
      summary.denials += 1;
      denials.push(denialRow(event, classifier));
    } else if (isForeignAccess(event)) {
      foreign.push(denialRow(event, classifier));
    }
    if (summary.lines % INSERT_EVERY === 0) {
      await flush();
      options.onProgress?.(summary.lines);
    }
  }
  await flush();
  options.onProgress?.(summary.lines);
  return summary;
}
