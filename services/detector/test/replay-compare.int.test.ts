import { loadRuleSettings } from '@denyscope/detections';
import { describe, expect, it } from 'vitest';
import { replay, scanAmidTraffic } from './support.js';

// The backtest before a threshold changes: one replay, two rule sets, the incidents that differ.
describe('replay --compare (what-if on the real ClickHouse)', () => {
  it('lists the incidents only one rule set opens', async () => {
    const { events, scanner } = scanAmidTraffic(Date.UTC(2026, 10, 20, 8, 0), 30 * 60_000, {
      scanSeed: 1,
      trafficSeed: 2,
    });
    const current = loadRuleSettings({ env: {} });
    // The candidate asks for more guesses than the scan made: it would miss it.
    const stricter = loadRuleSettings({ env: {} });
    stricter['id-enumeration'] = {
      ...stricter['id-enumeration'],
      windows: [{ minutes: 5, minDistinctIds: 5_000 }],
      sequentialWindow: { minutes: 60, minDistinctIds: 5_000 },
    };
    const { result, out } = await replay(events, {
      settings: stricter,
      compare: { baseline: current, names: { baseline: 'current', candidate: 'stricter' } },
    });
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
