import { describe, expect, it } from 'vitest';
import { HOSTILE_CORPUS, SEVERITIES } from '@denyscope/alerts';
import { checkPagerDuty, pagerDutyEventProblems, type Delivery } from '@denyscope/testkit';
import { notificationFixture } from '../../test/fixtures.js';
import {
  BIDI_OR_SEPARATOR,
  CONTROL_CHARACTER,
  hasLoneSurrogate,
} from './hostile-output.test-helpers.js';
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

  it('acknowledges an acknowledged incident by the same dedup_key', () => {
    expect(pagerDutyEvent(notificationFixture('acknowledged', 2), KEY)).toEqual({
      routing_key: KEY,
      event_action: 'acknowledge',
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

describe('pagerDutyEvent with hostile input (issue 11 item 6)', () => {
  it('sends plain text: no control characters, bidi overrides or broken surrogate pairs', () => {
    for (const hostile of HOSTILE_CORPUS) {
      const event = pagerDutyEvent(
        notificationFixture('opened', 1, {
          env: hostile,
          summary: hostile,
          subject: { key_id: hostile },
          evidence: { sample: [hostile], [hostile]: 1 },
        }),
        KEY,
      );
      if (event.event_action !== 'trigger') throw new Error('expected a trigger');
      const { summary, group, custom_details: details } = event.payload;
      for (const text of [summary, group, JSON.stringify(details)]) {
        expect(text, JSON.stringify(hostile)).not.toMatch(CONTROL_CHARACTER);
        expect(text, JSON.stringify(hostile)).not.toMatch(BIDI_OR_SEPARATOR);
        expect(text, JSON.stringify(hostile)).not.toMatch(/[\r\n\t]/);
      }
      // JSON.stringify writes a lone surrogate as a \udXXX escape, and a pair as itself.
      expect(JSON.stringify(details), JSON.stringify(hostile)).not.toMatch(/\\ud[89a-f]/i);
      expect(hasLoneSurrogate(summary), JSON.stringify(hostile)).toBe(false);
      expect(summary.length).toBeLessThanOrEqual(1024);
    }
  });

  it('never cuts a surrogate pair in two when truncating the summary', () => {
    // One of the two paddings puts the cut at 1023 code units inside an emoji.
    for (const pad of ['', 'a']) {
      const event = pagerDutyEvent(
        notificationFixture('opened', 1, { summary: `${pad}${'😀'.repeat(600)}` }),
        KEY,
      );
      if (event.event_action !== 'trigger') throw new Error('expected a trigger');
      expect(event.payload.summary.isWellFormed()).toBe(true);
      expect(event.payload.summary.length).toBeLessThanOrEqual(1024);
      expect(event.payload.summary.endsWith('…')).toBe(true);
    }
  });
});

describe("pagerDutyEvent against PagerDuty's published Events API v2 schema", () => {
  // packages/testkit/src/schemas/pagerduty-events-v2.json: PagerDuty's own schema, with Ajv.
  const events = () => [
    ...(['opened', 'escalated', 'acknowledged', 'resolved'] as const).map((transition) =>
      pagerDutyEvent(notificationFixture(transition, 2), KEY),
    ),
    pagerDutyEvent(notificationFixture('opened', 1), KEY, 'https://runbooks.example/'),
    ...SEVERITIES.map((severity) =>
      pagerDutyEvent(notificationFixture('opened', 1, { severity }), KEY),
    ),
    ...HOSTILE_CORPUS.map((hostile) =>
      pagerDutyEvent(
        notificationFixture('opened', 1, {
          env: hostile,
          summary: hostile,
          evidence: { [hostile]: hostile },
        }),
        KEY,
      ),
    ),
  ];

  it('trigger, acknowledge and resolve are all valid, with no field the schema does not name', () => {
    const actions = new Set<string>();
    for (const event of events()) {
      expect(pagerDutyEventProblems(event), JSON.stringify(event).slice(0, 200)).toEqual([]);
      // The receiver check of the int, end-to-end and chaos tests agrees.
      const delivery: Delivery = { raw: JSON.stringify(event), body: event, headers: {}, at: 0 };
      expect(() => checkPagerDuty(KEY)(delivery)).not.toThrow();
      actions.add(event.event_action);
    }
    expect([...actions].sort()).toEqual(['acknowledge', 'resolve', 'trigger']);
  });

  it('is a real check: events PagerDuty would refuse or half-ignore are caught', () => {
    const trigger = pagerDutyEvent(
      notificationFixture('opened', 1),
      KEY,
      'https://runbooks.example/',
    );
    if (trigger.event_action !== 'trigger') throw new Error('expected a trigger');
    const broken: [string, unknown, RegExp][] = [
      [
        'a severity of ours',
        { ...trigger, payload: { ...trigger.payload, severity: 'high' } },
        /\/payload\/severity must be equal to one of the allowed values/,
      ],
      [
        'no source',
        { ...trigger, payload: { ...trigger.payload, source: undefined } },
        /\/payload must have required property 'source'/,
      ],
      [
        'no routing key',
        { ...trigger, routing_key: undefined },
        /must have required property 'routing_key'/,
      ],
      [
        'an unknown action',
        { ...trigger, event_action: 'ack' },
        /\/event_action must be equal to one of the allowed values/,
      ],
      [
        'a timestamp that is no date-time',
        { ...trigger, payload: { ...trigger.payload, timestamp: '27/11/2026' } },
        /\/payload\/timestamp must match format "date-time"/,
      ],
      [
        'a relative link',
        { ...trigger, links: [{ href: 'docs/runbooks/x.md', text: 'x' }] },
        /\/links\/0\/href must match format "url"/,
      ],
      [
        'details that are no object',
        { ...trigger, payload: { ...trigger.payload, custom_details: 'x' } },
        /\/payload\/custom_details must be object/,
      ],
      [
        'a misspelled field',
        { ...trigger, dedupkey: trigger.dedup_key },
        /must NOT have additional properties \(dedupkey\), not in the schema/,
      ],
      [
        'a misspelled payload field',
        { ...trigger, payload: { ...trigger.payload, custom_detail: {} } },
        /\/payload must NOT have additional properties \(custom_detail\)/,
      ],
    ];
    for (const [what, event, problem] of broken) {
      expect(pagerDutyEventProblems(event).join('\n'), what).toMatch(problem);
      const delivery: Delivery = { raw: JSON.stringify(event), body: event, headers: {}, at: 0 };
      expect(() => checkPagerDuty(KEY)(delivery), what).toThrow(/not an Events API v2 event/);
    }
    // Free-form custom_details stay open: an alert may carry any evidence.
    expect(
      pagerDutyEventProblems({
        ...trigger,
        payload: { ...trigger.payload, custom_details: { any: { thing: 1 } } },
      }),
    ).toEqual([]);
  });
});
