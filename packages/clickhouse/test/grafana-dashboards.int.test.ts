import type { ClickHouseClient } from '@denyscope/clickhouse';
import {
  allScenarios,
  dropDatabase,
  migratedDatabase,
  rows,
  testNames,
  toNdjson,
} from '@denyscope/testkit';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Not exported by @denyscope/detector; the replay loader is what writes events as ingest would.
import { loadEvents } from '../../../services/detector/src/replay/load-events.js';

// Runs the SQL of every Grafana dashboard in infra/grafana/dashboards against a real, filled
// database, after expanding macros and template variables the way Grafana and the
// grafana-clickhouse-datasource plugin do. No Grafana runs here: this is the check that the
// dashboards' queries are valid on our ClickHouse (18.16 locally) and return data.

const dashboardsDir = fileURLToPath(new URL('../../../infra/grafana/dashboards/', import.meta.url));

interface Target {
  refId: string;
  rawSql?: string;
  editorType?: string;
  format?: number;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  interval?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; query: string | { rawSql?: string } }[] };
}

const dashboards = readdirSync(dashboardsDir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(`${dashboardsDir}${file}`, 'utf8')) as Dashboard,
  }));

/** Every panel, rows' nested panels included. */
function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

interface ExpandContext {
  /** Dashboard time range, epoch milliseconds. */
  fromMs: number;
  toMs: number;
  /** The panel's interval in seconds (Grafana: range / max data points, at least the panel's min interval). */
  intervalS: number;
  /** Template variables by name (single values). */
  variables: Record<string, string>;
}

const durationS = (text: string): number => {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`unsupported interval ${text}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
};

/**
 * Expands a panel's rawSql in two steps, as at run time:
 * 1. Grafana (frontend) replaces template variables `${name}`, `$name`, `[[name]]` and its global
 *    variables `$__from` / `$__to` (epoch ms) and `$__interval` (e.g. `1m`).
 * 2. The plugin (backend) replaces its macros:
 *    `$__timeFilter(col)` → `col >= toDateTime(<from s>) AND col <= toDateTime(<to s>)`,
 *    `$__dateFilter(col)` → `col >= toDate('<from day>') AND col <= toDate('<to day>')`,
 *    `$__fromTime` / `$__toTime` → `toDateTime(<s>)`, `$__interval_s` → interval in seconds,
 *    `$__timeInterval(col)` → `toStartOfInterval(toDateTime(col), INTERVAL <s> second)`.
 * The plugin's `$__timeInterval` needs toStartOfInterval, which 18.16 lacks, so the dashboards
 * bucket with `toDateTime(intDiv(toUInt32(col), $__interval_s) * $__interval_s)` instead; it is
 * expanded here anyway so a dashboard using it fails on 18.16 like it would in Grafana. The
 * `_ms` variants (DateTime64) are not expanded: 18.16 has no DateTime64. Anything starting with
 * `$` left afterwards fails the test.
 */
function expandQuery(sql: string, ctx: ExpandContext): string {
  const fromS = Math.floor(ctx.fromMs / 1000);
  const toS = Math.floor(ctx.toMs / 1000);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  let out = sql;
  // Step 1: Grafana's template variables.
  out = out.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, a, _fmt, b, c) => {
    const name = (a ?? b ?? c) as string;
    if (name === '__from') return String(ctx.fromMs);
    if (name === '__to') return String(ctx.toMs);
    if (name === '__interval') return `${ctx.intervalS}s`;
    if (name === '__interval_ms') return String(ctx.intervalS * 1000);
    if (name.startsWith('__')) return whole; // a plugin macro, step 2
    const value = ctx.variables[name];
    if (value === undefined) throw new Error(`no value for template variable ${name}`);
    return value;
  });
  // Step 2: the plugin's macros (longest names first).
  const fn = (name: string, expand: (column: string) => string) => {
    out = out.replace(new RegExp(`\\$__${name}\\(([^)]*)\\)`, 'g'), (_m, arg: string) =>
      expand(arg.trim()),
    );
  };
  fn('timeFilter', (c) => `${c} >= toDateTime(${fromS}) AND ${c} <= toDateTime(${toS})`);
  fn(
    'dateFilter',
    (c) => `${c} >= toDate('${day(ctx.fromMs)}') AND ${c} <= toDate('${day(ctx.toMs)}')`,
  );
  fn(
    'timeInterval',
    (c) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${Math.max(ctx.intervalS, 1)} second)`,
  );
  out = out
    .replace(/\$__fromTime\b/g, `toDateTime(${fromS})`)
    .replace(/\$__toTime\b/g, `toDateTime(${toS})`)
    .replace(/\$__interval_s\b/g, String(Math.max(ctx.intervalS, 1)));
  const left = /\$\w*|\[\[\w+\]\]/.exec(out);
  if (left) throw new Error(`unexpanded macro or variable ${left[0]} in:\n${out}`);
  return out;
}

describe('Grafana dashboards', () => {
  it('have a uid, a title, unique panel ids, and SQL targets the plugin accepts', () => {
    expect(dashboards.map((d) => d.file)).toEqual(
      expect.arrayContaining(['overview.json', 'key-drilldown.json', 'account.json']),
    );
    const uids = new Set<string>();
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.uid, file).toMatch(/^[\w-]{1,40}$/);
      expect(dashboard.title, file).toBeTruthy();
      expect(uids.has(dashboard.uid), `${file}: uid ${dashboard.uid} used twice`).toBe(false);
      uids.add(dashboard.uid);
      const panels = allPanels(dashboard.panels);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: duplicate panel ids ${ids.join(',')}`).toBe(ids.length);
      for (const panel of panels) {
        expect(Number.isInteger(panel.id), `${file}: panel without id`).toBe(true);
        expect(panel.title, `${file} #${panel.id}`).toBeTruthy();
        expect(panel.description, `${file} #${panel.id}`).toBeTruthy();
        for (const target of panel.targets ?? []) {
          expect(target.editorType, `${file} #${panel.id}`).toBe('sql');
          expect([0, 1], `${file} #${panel.id} format`).toContain(target.format);
          expect(target.rawSql, `${file} #${panel.id}`).toBeTruthy();
          expect(target.rawSql, `${file} #${panel.id}: 18.16 has no toStartOfInterval`).not.toMatch(
            /toStartOfInterval|\$__timeInterval/,
          );
        }
      }
    }
  });

  it('expands macros and variables like the plugin and refuses leftovers', () => {
    const ctx: ExpandContext = {
      fromMs: 1_700_000_000_000,
      toMs: 1_700_003_600_000,
      intervalS: 60,
      variables: { key_id: 'key_1' },
    };
    expect(
      expandQuery(
        "SELECT $__timeInterval(t) FROM x WHERE $__timeFilter(t) AND k = '${key_id}' AND j = '$key_id' AND s = $__interval_s AND t < $__toTime AND t > $__fromTime",
        ctx,
      ),
    ).toBe(
      "SELECT toStartOfInterval(toDateTime(t), INTERVAL 60 second) FROM x WHERE t >= toDateTime(1700000000) AND t <= toDateTime(1700003600) AND k = 'key_1' AND j = 'key_1' AND s = 60 AND t < toDateTime(1700003600) AND t > toDateTime(1700000000)",
    );
    expect(() => expandQuery('SELECT $__unknownMacro', ctx)).toThrow(/unexpanded/);
    expect(() => expandQuery("SELECT '${account_id}'", ctx)).toThrow(/account_id/);
  });

  describe('SQL against real data', () => {
    const { database } = testNames('grafana');
    let client: ClickHouseClient;
    const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
    let keyId = '';
    let accountId = '';

    beforeAll(async () => {
      client = await migratedDatabase(database);
      const { events } = allScenarios(7, startMs);
      const summary = await loadEvents(Readable.from([toNdjson(events)]), client, {
        environments: ['production', 'staging', 'sandbox', 'development'],
        envMarkers: undefined,
        maxMessageBytes: 262_144,
      });
      expect(summary.denials).toBeGreaterThan(0);
      // The key with the most denials, and its account: real subjects of the data.
      const [top] = await rows<{ key_id: string; account_id: string }>(
        client,
        `SELECT key_id, account_id FROM denials WHERE key_id != '' AND account_id != ''
         GROUP BY key_id, account_id ORDER BY uniqExact(request_id) DESC LIMIT 1`,
      );
      if (!top) throw new Error('no denials with a key');
      ({ key_id: keyId, account_id: accountId } = top);
      const s = (offsetMin: number) => Math.floor((startMs + offsetMin * 60_000) / 1000);
      const alert = { client_ip: '', env: 'production', evidence: '{}', runbook: '', note: '' };
      await client.insert({
        table: 'alerts',
        format: 'JSONEachRow',
        values: [
          // A firing incident (opened, escalated, acknowledged) ...
          ...[
            [1, 'opened', 'firing', 'medium', 10],
            [2, 'escalated', 'firing', 'high', 20],
            [0, 'acknowledged', 'firing', 'high', 25],
          ].map(([version, transition, status, severity, at]) => ({
            ...alert,
            alert_id: 'al_firing',
            version,
            transition,
            rule: 'id-enumeration',
            severity,
            status,
            key_id: keyId,
            account_id: accountId,
            window_start: s(5),
            window_end: s(Number(at)),
            first_seen: s(5),
            last_seen: s(Number(at)),
            summary: 'sequential IDs',
            muted: 0,
            recorded_at: s(Number(at)),
          })),
          // ... and a resolved one.
          ...[
            [1, 'opened', 'firing', 30],
            [2, 'resolved', 'resolved', 60],
          ].map(([version, transition, status, at]) => ({
            ...alert,
            alert_id: 'al_resolved',
            version,
            transition,
            rule: 'cross-tenant',
            severity: 'high',
            status,
            key_id: keyId,
            account_id: accountId,
            window_start: s(25),
            window_end: s(Number(at)),
            first_seen: s(25),
            last_seen: s(45),
            summary: 'foreign IDs',
            muted: 0,
            recorded_at: s(Number(at)),
          })),
        ],
      });
      await client.insert({
        table: 'ingest_watermarks',
        format: 'JSONEachRow',
        values: [
          { topic: 'api-events', partition: 0, max_event_time: Math.floor(summary.maxTs / 1000) },
          { topic: 'api-events', partition: 1, max_event_time: s(100) },
        ],
      });
    });

    afterAll(async () => {
      await client?.close();
      await dropDatabase(database);
    });

    // Panels that must show data for the chosen key and account (dashboard uid → panel ids).
    const mustHaveRows: Record<string, number[]> = {
      'denyscope-overview': [1, 3, 4, 5, 7, 8],
      'denyscope-key': [1, 2, 3, 4, 5, 6],
      'denyscope-account': [1, 2, 3, 4, 5],
    };

    it('every variable and panel query runs, and the main panels return rows', async () => {
      const ctx = (intervalS: number): ExpandContext => ({
        fromMs: startMs - 10 * 60_000,
        toMs: Date.now(),
        intervalS,
        variables: { key_id: keyId, account_id: accountId },
      });
      let ran = 0;
      for (const { file, dashboard } of dashboards) {
        for (const variable of dashboard.templating?.list ?? []) {
          const query =
            typeof variable.query === 'string' ? variable.query : (variable.query.rawSql ?? '');
          const values = await rows<Record<string, string>>(client, expandQuery(query, ctx(60)));
          const expected = variable.name === 'key_id' ? keyId : accountId;
          expect(
            values.map((v) => Object.values(v)[0]),
            `${file} $${variable.name}`,
          ).toContain(expected);
          ran += 1;
        }
        for (const panel of allPanels(dashboard.panels)) {
          // Grafana's interval is at least the panel's min interval; try the finest and a coarse one.
          const minS = panel.interval ? durationS(panel.interval) : 1;
          for (const intervalS of [Math.max(minS, 60), Math.max(minS, 900)]) {
            for (const target of panel.targets ?? []) {
              const sql = expandQuery(target.rawSql ?? '', ctx(intervalS));
              const where = `${file} panel ${panel.id} "${panel.title}" ${target.refId}`;
              let result: unknown[];
              try {
                result = await rows(client, sql);
              } catch (error) {
                throw new Error(`${where}: ${(error as Error).message}\n${sql}`, { cause: error });
              }
              if (mustHaveRows[dashboard.uid]?.includes(panel.id)) {
                expect(result.length, `${where} returned no rows`).toBeGreaterThan(0);
              }
              ran += 1;
            }
          }
        }
      }
      expect(ran).toBeGreaterThan(20);
    });

    it('open incidents show the firing incident once, with its latest state', async () => {
      const overview = dashboards.find((d) => d.dashboard.uid === 'denyscope-overview');
      const panel = overview && allPanels(overview.dashboard.panels).find((p) => p.id === 5);
      const sql = panel?.targets?.[0]?.rawSql ?? '';
      const open = await rows<{ alert_id: string; severity: string; acknowledged: number }>(
        client,
        expandQuery(sql, {
          fromMs: startMs,
          toMs: Date.now(),
          intervalS: 60,
          variables: {},
        }),
      );
      expect(open.map((a) => [a.alert_id, a.severity, Number(a.acknowledged)])).toEqual([
        ['al_firing', 'high', 1],
      ]);
    });
  });
});
