import { describe, expect, it } from 'vitest';
import { notificationFixture } from '../test/fixtures.js';
import { sinkJobId } from './job-ids.js';

describe('sinkJobId', () => {
  it('is stable per notification and sink, and distinct across them', () => {
    const opened = notificationFixture('opened', 1);
    expect(sinkJobId(opened, 'slack')).toBe('id-enumeration-5f2c.v1.slack');
    expect(sinkJobId(opened, 'slack')).toBe(sinkJobId(notificationFixture('opened', 1), 'slack'));
    expect(sinkJobId(opened, 'pagerduty')).not.toBe(sinkJobId(opened, 'slack'));
    expect(sinkJobId(notificationFixture('resolved', 2), 'slack')).not.toBe(
      sinkJobId(opened, 'slack'),
    );
  });

  it("never contains ':' (BullMQ rejects most custom IDs that do)", () => {
    const odd = notificationFixture('opened', 1, { alert_id: 'a:b:c:d%3A' });
    expect(sinkJobId(odd, 'webhook')).not.toContain(':');
    expect(sinkJobId(odd, 'webhook')).not.toBe(
      sinkJobId(notificationFixture('opened', 1, { alert_id: 'a:b:c:d:' }), 'webhook'),
    );
  });
});
