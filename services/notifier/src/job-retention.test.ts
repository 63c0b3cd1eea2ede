import { loadConfig as loadWith } from '@denyscope/config';
import { describe, expect, it } from 'vitest';
import { sinkJobOptions } from './dispatcher.js';
import { notifierSection } from './config.js';

const loadConfig = (env: Record<string, string>) => loadWith(env, { notifier: notifierSection });

// Issue 11, item 2: BullMQ kept finished jobs by age only, so a flood of notifications grew Redis
// without bound for a week (a month for failures). Every kept job is now bounded by count too.

describe('sink job retention', () => {
  it('keeps finished deliveries by age and by count', () => {
    const options = sinkJobOptions(loadConfig({}).notifier);
    for (const keep of [options.removeOnComplete, options.removeOnFail]) {
      const { age, count } = keep as { age?: unknown; count?: unknown };
      expect([typeof age, typeof count]).toEqual(['number', 'number']);
      expect(Math.min(Number(age), Number(count))).toBeGreaterThan(0);
    }
  });
});
