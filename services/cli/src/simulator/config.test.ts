import { configRejections } from '@denyscope/testkit';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadWith } from '@denyscope/config';
import { simulatorSection } from './config.js';

const sections = { simulator: simulatorSection };
const loadConfig = (env: Record<string, string>) => loadWith(env, sections);

const problemsOf = (env: Record<string, string>) => configRejections(env, sections);

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
