import { configProblems, loadConfig } from '@denyscope/config';
import { DEFAULT_RESOLVED_TTL_MS } from '@denyscope/incidents';
import { describe, expect, it } from 'vitest';
import { detectorSection } from './config.js';
import { DEFAULT_MAX_NEW_INCIDENTS_PER_RULE } from './incident-manager.js';

const sections = { detector: detectorSection };
const detector = (env: Record<string, string>) => loadConfig(env, sections).detector;
const problemsOf = (env: Record<string, string>) => configProblems(env, sections);

describe('detector section: blast-radius options', () => {
  it('has bounded defaults', () => {
    expect(detector({}).maxNewIncidentsPerRule).toBe(20);
    expect(detector({}).resolvedTtlMs).toBe(7 * 86_400_000);
    // The defaults the incident manager and the Redis store fall back to are the same.
    expect(DEFAULT_MAX_NEW_INCIDENTS_PER_RULE).toBe(20);
    expect(DEFAULT_RESOLVED_TTL_MS).toBe(7 * 86_400_000);
  });

  it('refuses a resolved TTL shorter than the longest rule window (a day)', () => {
    expect(problemsOf({ DETECT_RESOLVED_TTL_MS: '3600000' })).toEqual([
      expect.stringMatching(/^DETECT_RESOLVED_TTL_MS: .*86400000/),
    ]);
    expect(problemsOf({ DETECT_MAX_NEW_INCIDENTS_PER_RULE: '0' })).toHaveLength(1);
  });
});

describe('detector section', () => {
  it('has the documented defaults', () => {
    expect(detector({})).toEqual({
      intervalMs: 2_000,
      allowedLatenessMs: 1_000,
      partitionWaitMs: 300_000,
      resolveAfterMs: 900_000,
      catchUp: { stepMs: 60_000, maxMs: 6 * 3_600_000, maxStepsPerTick: 30 },
      ruleFailureAlertAfter: 3,
      maxNewIncidentsPerRule: 20,
      resolvedTtlMs: 7 * 86_400_000,
      rulesFile: undefined,
    });
  });

  it('reads RULES_FILE; empty counts as unset', () => {
    expect(detector({ RULES_FILE: 'rules.yaml' }).rulesFile).toBe('rules.yaml');
    expect(detector({ RULES_FILE: '' }).rulesFile).toBeUndefined();
  });

  it('leaves the settings ingest acts on too to the shared section', () => {
    const config = loadConfig(
      { DETECT_ON_FLUSH: 'false', DETECT_FUTURE_TOLERANCE_MS: '1m' },
      sections,
    );
    expect(config.pipeline).toEqual({ onFlush: false, futureToleranceMs: 60_000 });
  });
});
