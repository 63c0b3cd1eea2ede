import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '@denyscope/alerts';
import { notificationFixture } from '../../test/fixtures.js';
import { PAGERDUTY_SEVERITY, pagerDutyEvent } from './pagerduty.js';

const KEY = 'R0UTINGKEY0000000000000000000000';

describe('pagerDutyEvent', () => {
  it('triggers on opened and escalated, with the required fields and the alert as details', () => {
    for (const [transition, version] of [
      ['opened', 1],
      ['escalated', 2],
    ] as const) {
      const notification = notificationFixture(transition, version);
      const event = pagerDutyEvent(notification, KEY);
      expect(event).toEqual({
        routing_key: KEY,
        event_action: 'trigger',
        dedup_key: 'id-enumeration-5f2c',
        payload: {
          summary:
            '[HIGH] id-enumeration in production: key_1 was denied on 212 distinct invoice IDs in 5 min',
          source: 'denyscope',
          severity: 'error',
          timestamp: '2026-11-27T10:04:59Z',
          component: 'id-enumeration',
          group: 'production',
          class: 'id-enumeration',
          custom_details: notification.alert,
        },
      });
    }
  });

  it('resolves with only routing_key, event_action and the same dedup_key', () => {
    expect(pagerDutyEvent(notificationFixture('resolved', 3), KEY)).toEqual({
      routing_key: KEY,
      event_action: 'resolve',
      dedup_key: 'id-enumeration-5f2c',
    });
  });

  it('maps every severity onto the four PagerDuty accepts', () => {
    expect(SEVERITIES.map((severity) => PAGERDUTY_SEVERITY[severity])).toEqual([
      'info',
      'info',
      'warning',
      'error',
      'critical',
    ]);
  });

  it('caps the summary at 1024 characters and the dedup_key at 255', () => {
    const event = pagerDutyEvent(
      notificationFixture('opened', 1, { summary: 's'.repeat(3000), alert_id: 'a'.repeat(300) }),
      KEY,
    );
    expect(event.event_action).toBe('trigger');
    if (event.event_action !== 'trigger') return;
    expect(event.payload.summary).toHaveLength(1024);
    expect(event.dedup_key.length).toBeLessThanOrEqual(255);
    expect(event.dedup_key).toBe(
      pagerDutyEvent(notificationFixture('resolved', 2, { alert_id: 'a'.repeat(300) }), KEY)
        .dedup_key,
    );
  });

  it('links the runbook when a base URL is configured, and only a relative runbook path', () => {
    expect(
      pagerDutyEvent(notificationFixture('opened', 1), KEY, 'https://runbooks.example/'),
    ).toMatchObject({
      links: [{ href: 'https://runbooks.example/docs/runbooks/id-enumeration.md' }],
    });
    expect(
      pagerDutyEvent(
        notificationFixture('opened', 1, { runbook: '//evil.example/x' }),
        KEY,
        'https://runbooks.example/',
      ),
    ).not.toHaveProperty('links');
  });
});
