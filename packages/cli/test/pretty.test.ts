import { describe, expect, it } from 'vitest';
import { prettyLine } from '../src/supervisor/pretty.js';

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
