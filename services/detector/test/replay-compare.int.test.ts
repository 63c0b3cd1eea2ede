import { loadConfig } from '@denyscope/config';
import { loadRuleSettings } from '@denyscope/detections';
import { createLogger } from '@denyscope/telemetry';
import { stackEnv } from '@denyscope/testkit';
import {
  backgroundTraffic,
  composeStream,
  idEnumerationRandom,
  seededRandom,
  toNdjson,
} from '@denyscope/scenarios';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runReplay } from '../src/index.js';

// The backtest before a threshold changes: one replay, two rule sets, the incidents that differ.
describe('replay --compare (what-if on the real ClickHouse)', () => {
  it('lists the incidents only one rule set opens', async () => {
    const startMs = Date.UTC(2026, 10, 20, 8, 0);
    const ctx = (seed: number) => ({
      random: seededRandom(seed),
      startMs,
      durationMs: 30 * 60_000,
    });
    const stream = composeStream([idEnumerationRandom(ctx(1)), backgroundTraffic(ctx(2))]);
    const scanner = stream.scenarios[0]!.expect[0]!.subject.key_id!;
    const config = loadConfig({ ...stackEnv, LOG_LEVEL: 'warn' });
    const current = loadRuleSettings({ env: {} });
    // The candidate asks for more guesses than the scan made: it would miss it.
    const stricter = loadRuleSettings({ env: {} });
    stricter['id-enumeration'] = {
      ...stricter['id-enumeration'],
      windows: [{ minutes: 5, minDistinctIds: 5_000 }],
      sequentialWindow: { minutes: 60, minDistinctIds: 5_000 },
    };
    const out: string[] = [];
    const result = await runReplay(
      config,
      stricter,
      createLogger({ service: 'replay-test', level: 'warn', stream: 'stderr' }),
      {
        input: Readable.from([toNdjson(stream.events)]),
        stepMs: 60_000,
        keepDatabase: false,
        writeOut: (line) => out.push(line),
        writeErr: () => undefined,
        progress: false,
        compare: { baseline: current, names: { baseline: 'current', candidate: 'stricter' } },
      },
    );
    const comparison = result.comparison!;
    expect(comparison.onlyCandidate).toEqual([]);
    expect(comparison.onlyBaseline.map((i) => [i.rule, i.subject.key_id])).toContainEqual([
      'id-enumeration',
      scanner,
    ]);
    const text = out.join('');
    expect(text).toMatch(/^id-enumeration\s+1\s+0\s+0$/m);
    expect(text).toContain(`Opened only by A (${comparison.onlyBaseline.length}):`);
    expect(text).toContain(`key_id=${scanner}`);
    // Only the comparison is printed, not the alert lines.
    expect(text).not.toMatch(/^\{"alert_id"/m);
  }, 180_000);
});
