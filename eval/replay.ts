/**
 * Replays generated lines through the product's own backtest (`runReplay`: the same parse,
 * classify, ClickHouse aggregates, rules and incident logic as the live services, in a fresh
 * database that is dropped afterwards) and collects every alert state change it prints.
 */
import { type Alert, alertSchema } from '@denyscope/alerts';
import type { RuleSettings } from '@denyscope/detections';
import {
  detectorSection,
  runReplay,
  type ReplayConfig,
  type ReplayResult,
} from '@denyscope/detector';
import { ingestSection } from '@denyscope/ingest';
import type { Logger } from '@denyscope/telemetry';
import { Readable } from 'node:stream';

/** The configuration a replay reads (loadConfig's sections): the detector's, and ingest's for its intake. */
export const REPLAY_SECTIONS = { detector: detectorSection, ingest: ingestSection };

export interface ReplayOutcome {
  alerts: Alert[];
  /** Printed lines that are not alert-contract objects (each is a bug somewhere). */
  unreadable: string[];
  result: ReplayResult;
  seconds: number;
}

const CHUNK_LINES = 2_000;

function* chunks(lines: readonly string[]): Generator<string> {
  for (let i = 0; i < lines.length; i += CHUNK_LINES) {
    yield `${lines.slice(i, i + CHUNK_LINES).join('\n')}\n`;
  }
}

/** Parses one printed line against the alert contract; the reason when it is not one. */
export function readAlert(line: string): Alert | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const parsed = alertSchema.safeParse(value);
  return parsed.success ? parsed.data : `not an alert: ${parsed.error.issues[0]?.message ?? '?'}`;
}

export async function replayLines(
  lines: readonly string[],
  config: ReplayConfig,
  settings: RuleSettings,
  log: Logger,
  stepMs: number,
  progress: (message: string) => void,
): Promise<ReplayOutcome> {
  const alerts: Alert[] = [];
  const unreadable: string[] = [];
  let pending = '';
  const started = performance.now();
  const result = await runReplay(config, settings, log, {
    input: Readable.from(chunks(lines)),
    stepMs,
    keepDatabase: false,
    // One JSON object per line; buffer in case a write ever carries part of one.
    writeOut: (text) => {
      pending += text;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim() !== '') {
          const alert = readAlert(line);
          if (typeof alert === 'string') unreadable.push(`${alert}: ${line.slice(0, 200)}`);
          else alerts.push(alert);
        }
        nl = pending.indexOf('\n');
      }
    },
    writeErr: (text) => progress(text.trim()),
    progress: false,
  });
  if (pending.trim() !== '') unreadable.push(`unterminated: ${pending.slice(0, 200)}`);
  return { alerts, unreadable, result, seconds: (performance.now() - started) / 1000 };
}
