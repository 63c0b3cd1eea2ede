import { describe, expect, it } from 'vitest';
import { HOSTILE_CORPUS, RULE_IDS } from '@denyscope/alerts';
import { createLogger } from '@denyscope/telemetry';
import { notificationFixture } from '../../test/fixtures.js';
import { createLogSink } from './log.js';

function capturingSink() {
  const chunks: string[] = [];
  const log = createLogger({
    service: 'notifier',
    destination: { write: (chunk) => void chunks.push(chunk) },
  });
  const sink = createLogSink(
    { minSeverity: 'info', rules: [...RULE_IDS] },
    {
      log,
      post: () => Promise.reject(new Error('the log sink never posts')),
      runbookBaseUrl: undefined,
      now: () => 0,
    },
  );
  return { sink, chunks };
}

describe('log sink', () => {
  it('writes hostile values as data under one key: one JSON line, a fixed message, values intact', async () => {
    for (const hostile of HOSTILE_CORPUS) {
      const { sink, chunks } = capturingSink();
      // %s, %j and %o would be printf placeholders if a value were ever used as the message.
      const summary = `${hostile} %s %j %o`;
      const notification = notificationFixture('opened', 1, {
        summary,
        subject: { key_id: hostile },
        evidence: { [hostile]: hostile },
      });
      await sink.deliver(notification);
      expect(chunks).toHaveLength(1);
      const [chunk] = chunks;
      // Exactly one line: CR, LF, U+2028 in a value cannot split it.
      expect(chunk?.indexOf('\n')).toBe((chunk?.length ?? 0) - 1);
      expect(chunk).not.toMatch(/\r/);
      const line = JSON.parse(chunk ?? '') as Record<string, unknown>;
      expect(line.msg).toBe('alert');
      expect(line.alert).toEqual(notification.alert);
      // Nothing from the alert was merged into the top level, where it could shadow a field.
      expect(Object.keys(line).sort()).toEqual(
        ['alert', 'level', 'msg', 'pid', 'service', 'sink', 'time', 'transition', 'version'].sort(),
      );
    }
  });
});
