import { DURATION_MESSAGE } from '@denyscope/events';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/commands/durations.js';

const BIN = fileURLToPath(new URL('../bin/denyscope.js', import.meta.url));

describe('CLI durations', () => {
  it('take the shared grammar, 250ms included', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(() => parseDuration('0s')).toThrow('expected a duration more than zero');
  });

  it('refuse a bad one on the command line with the text the API and the rules file use', async () => {
    const args = ['alerts', 'mute', '--rule', 'id-enumeration', '--key', 'k1', '--for', '5 min'];
    const failed = await promisify(execFile)(process.execPath, [BIN, ...args, '--reason', 'x'], {
      timeout: 60_000,
    }).then(
      () => undefined,
      (error: Error & { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(
      `error: option '--for <duration>' argument '5 min' is invalid. ${DURATION_MESSAGE}`,
    );
  });
});
