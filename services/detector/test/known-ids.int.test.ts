import type { Alert } from '@denyscope/alerts';
import { loadConfig } from '@denyscope/config';
import { loadRuleSettings } from '@denyscope/detections';
import { createLogger } from '@denyscope/telemetry';
import { stackEnv } from '@denyscope/testkit';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectorSection, runReplay } from '../src/index.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0);

function event(ts: number, n: number, fields: Record<string, unknown>) {
  return {
    ts: new Date(ts).toISOString(),
    request_id: `req_${n}`,
    env: 'production',
    key_id: 'key_live_cleanup',
    account_id: 'acct_own',
    client_ip: '198.51.100.20',
    ...fields,
  };
}

async function replay(events: object[]): Promise<Alert[]> {
  const alerts: Alert[] = [];
  await runReplay(
    loadConfig({ ...stackEnv, LOG_LEVEL: 'warn' }, { detector: detectorSection }),
    loadRuleSettings({ env: {} }),
    createLogger({ service: 'known-ids-test', level: 'warn', stream: 'stderr' }),
    {
      input: Readable.from([events.map((e) => JSON.stringify(e)).join('\n')]),
      stepMs: 60_000,
      keepDatabase: false,
      writeOut: (line) => alerts.push(JSON.parse(line) as Alert),
      writeErr: () => undefined,
      progress: false,
    },
  );
  return alerts;
}

// A clean-up job deletes 80 of its account's invoices, then reads them back: denied, "no such
// resource". The read-backs pass a gateway whose clock is 2 minutes behind, so they carry times
// before the DELETEs they follow. Those IDs are the account's own: stale, never a scan.
describe('known IDs on the real ClickHouse', () => {
  it('does not page on an account reading back what it deleted, even across skewed clocks', async () => {
    const events: object[] = [];
    let n = 0;
    for (let i = 0; i < 80; i += 1) {
      const id = `inv_${String(700_000 + i * 37).padStart(6, '0')}`;
      const deletedAt = T0 + i * 1_000;
      events.push(
        event(deletedAt, (n += 1), {
          method: 'DELETE',
          path: `/v1/invoices/${id}`,
          route: '/v1/invoices/{invoice_id}',
          status: 204,
          resource_id: id,
          resource_owner: 'acct_own',
        }),
        event(deletedAt + 3_000 - 120_000, (n += 1), {
          method: 'GET',
          path: `/v1/invoices/${id}`,
          status: 403,
          error: 'ownership_denied',
          resource_owner: null,
        }),
      );
    }
    const alerts = await replay(events);
    const pages = alerts.filter((a) => a.severity !== 'info');
    expect(pages.map((a) => `${a.rule}: ${a.summary}`)).toEqual([]);
    expect(alerts.filter((a) => a.rule === 'id-enumeration')).toEqual([]);
    // What the customer's report gets instead: stale IDs of its own.
    const stale = alerts.find((a) => a.rule === 'stale-resource-ids');
    expect(stale?.severity).toBe('info');
    expect(stale?.evidence.known_ids).toBeGreaterThanOrEqual(10);
  }, 120_000);
});
