import { describe, expect, it } from 'vitest';
import { HOSTILE_CORPUS } from '@denyscope/alerts';
import { prettyLine } from '../src/supervisor/pretty.js';
import { expectInertLine } from './terminal-output.test-helpers.js';

const plain = { color: false, nameWidth: 8 };

describe('prettyLine', () => {
  it('shortens a pino line to time, level, message and fields', () => {
    const line = JSON.stringify({
      level: 'info',
      time: '2025-01-02T03:04:05.678Z',
      service: 'ingest',
      pid: 1,
      topic: 'api.responses',
      msg: 'ingest running',
    });
    expect(prettyLine('ingest', line, plain)).toBe(
      'ingest   │ 03:04:05 INFO  ingest running  topic=api.responses',
    );
  });

  it('renders incident state changes prominently', () => {
    const line = JSON.stringify({
      level: 'info',
      time: '2025-01-02T03:04:05.678Z',
      alertId: 'a1',
      rule: 'id-enumeration',
      transition: 'opened',
      severity: 'critical',
      muted: false,
      subject: { key_id: 'key_live_x', account_id: 'acct_y' },
      msg: 'incident state changed',
    });
    expect(prettyLine('detector', line, plain)).toBe(
      'detector │ 03:04:05 ▲ INCIDENT OPENED  id-enumeration critical  key=key_live_x account=acct_y  alert=a1',
    );
    expect(prettyLine('detector', line, { color: true })).toContain('\u001b[31m');
  });

  it("renders the notifier's log-sink alerts and the simulator's scenarios", () => {
    const alert = JSON.stringify({
      level: 'info',
      time: '2025-01-02T03:04:05.678Z',
      sink: 'log',
      transition: 'resolved',
      version: 2,
      alert: {
        rule: 'cross-environment',
        severity: 'medium',
        subject: { key_id: 'k' },
        summary: 'done',
      },
      msg: 'alert',
    });
    expect(prettyLine('notifier', alert, plain)).toBe(
      'notifier │ 03:04:05 ✉ ALERT resolved medium cross-environment  key=k  done',
    );
    const scenario = JSON.stringify({
      scenario: 'attack:id-enumeration:sequential',
      kind: 'attack',
      expect: [
        { rule: 'id-enumeration', subject: { key_id: 'k', account_id: 'a' }, severity: 'critical' },
      ],
      injected_at: '2025-01-02T03:04:05.678Z',
      events: 128,
    });
    expect(prettyLine('simulator', scenario, plain)).toBe(
      'simulator │ 03:04:05 ◆ injected attack:id-enumeration:sequential (128 events) → expect id-enumeration (critical) for key=k account=a',
    );
  });

  it('passes other lines through and colours errors', () => {
    expect(prettyLine('stack', 'kafka up at 127.0.0.1:9092', plain)).toBe(
      'stack    │ kafka up at 127.0.0.1:9092',
    );
    expect(prettyLine('x', '{not json', plain)).toBe('x        │ {not json');
    const error = JSON.stringify({ level: 'error', msg: 'boom', time: 0 });
    expect(prettyLine('x', error, { color: true })).toContain('\u001b[31mERROR boom');
  });
});

describe('prettyLine with hostile input (issue 11 item 6)', () => {
  const alertLine = (hostile: string): string =>
    JSON.stringify({
      level: 'info',
      time: '2025-01-02T03:04:05.678Z',
      sink: 'log',
      transition: 'opened',
      version: 1,
      alert: {
        rule: 'id-enumeration',
        severity: hostile,
        subject: { key_id: hostile, account_id: hostile },
        summary: hostile,
      },
      msg: 'alert',
    });

  it('prints an ESC/OSC sequence in a key ID as text, not as a terminal command', () => {
    const printed = prettyLine(
      'notifier',
      alertLine('\u001b]8;;https://evil\u0007k\u001b]8;;\u0007\u001b[2J'),
      plain,
    );
    expect(printed).not.toContain('\u001b');
    expect(printed).not.toContain('\u0007');
    expect(printed).toContain('\\u001b]8;;https://evil\\u0007k');
  });

  it('cannot forge a second line', () => {
    const printed = prettyLine('notifier', alertLine('k\r\nnotifier │ 03:04:06 fake'), plain);
    expect(printed.split('\n')).toHaveLength(1);
    expect(printed).toContain('k\\u000d\\u000anotifier');
  });

  it('prints every corpus string inertly, in every kind of line, with and without colour', () => {
    for (const hostile of HOSTILE_CORPUS) {
      const lines = [
        alertLine(hostile),
        JSON.stringify({
          level: 'info',
          msg: 'incident state changed',
          transition: hostile,
          rule: hostile,
          severity: hostile,
          alertId: hostile,
          subject: { key_id: hostile, client_ip: hostile },
        }),
        JSON.stringify({ level: hostile, msg: hostile, [hostile]: hostile, nested: { hostile } }),
        JSON.stringify({ scenario: hostile, expect: [{ rule: hostile, subject: {} }] }),
        hostile,
      ];
      for (const line of lines) {
        for (const color of [false, true]) {
          expectInertLine(prettyLine('x', line, { color }), JSON.stringify(hostile));
        }
      }
    }
  });
});
