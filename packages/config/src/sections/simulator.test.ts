import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../index.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to reject');
}

describe('simulator section', () => {
  it('defaults to 200 events per second; empty counts as unset', () => {
    expect(loadConfig({}).simulator).toEqual({ rate: 200 });
    expect(loadConfig({ SIMULATE_RATE: '' }).simulator).toEqual({ rate: 200 });
  });

  it('parses SIMULATE_RATE', () => {
    expect(loadConfig({ SIMULATE_RATE: '5000' }).simulator.rate).toBe(5000);
  });

  it.each(['0', '-1', '1.5', 'fast', '1000001'])('names SIMULATE_RATE=%s', (value) => {
    const problems = problemsOf({ SIMULATE_RATE: value });
    expect(problems.some((p) => p.includes('SIMULATE_RATE'))).toBe(true);
  });
});
