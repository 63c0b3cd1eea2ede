import type { ClickHouseClient } from '@denyscope/clickhouse';
import { dropDatabase, migratedDatabase, rows, testNames } from '@denyscope/testkit';
import { allScenarios, toNdjson } from '@denyscope/scenarios';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  durationS,
  expandQuery,
  grafanaPercentEncode,
  grafanaSqlString,
  unsafeVariableUses,
  type ExpandContext,
} from './grafana-expand.js';
// Not exported by @denyscope/detector; the replay loader is what writes events as ingest would.
import { loadEvents } from '@denyscope/intake';

// Runs the SQL of every Grafana dashboard in infra/grafana/dashboards against a real, filled
// database, after expanding macros and template variables the way Grafana and the
// grafana-clickhouse-datasource plugin do. No Grafana runs here: this is the check that the
// dashboards' queries are valid on our ClickHouse (18.16 locally) and return data, and that a
// key or account ID with quotes and backslashes neither breaks a panel nor escapes its literal.

const dashboardsDir = fileURLToPath(new URL('../../infra/grafana/dashboards/', import.meta.url));

interface Target {
  refId: string;
  pluginVersion?: string;
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
  templating?: {
    list: { name: string; multi?: boolean; query: string | { rawSql?: string } }[];
  };
}

const dashboards = readdirSync(dashboardsDir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(`${dashboardsDir}${file}`, 'utf8')) as Dashboard,
  }));

// The plugin version docker-compose.yml installs (GF_PLUGINS_PREINSTALL): every target names it
// as its pluginVersion, else the plugin treats the target as a pre-v4 query and migrates it.
const composeFile = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));
const pluginVersion = /grafana-clickhouse-datasource@(\d+\.\d+\.\d+)/.exec(
  readFileSync(composeFile, 'utf8'),
)?.[1];

/** Every panel, rows' nested panels included. */
function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
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
          expect(target.pluginVersion, `${file} #${panel.id} pluginVersion`).toBe(pluginVersion);
        }
      }
    }
    expect(pluginVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('put template variables into SQL only percent-encoded and decoded by ClickHouse', () => {
    let checked = 0;
    for (const { file, dashboard } of dashboards) {
      const sqls = [
        ...(dashboard.templating?.list ?? []).map((v) =>
          typeof v.query === 'string' ? v.query : (v.query.rawSql ?? ''),
        ),
        ...allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => t.rawSql ?? '')),
      ];
      for (const sql of sqls) {
        expect(unsafeVariableUses(sql), `${file}: ${sql}`).toEqual([]);
        checked += 1;
      }
      // percentencode turns a multi-value into one glob: no variable may be multi-valued.
      for (const variable of dashboard.templating?.list ?? []) {
        expect(variable.multi, `${file} $${variable.name}`).not.toBe(true);
      }
      // Drill-down links pass the value in a URL: encoded too, so `&` or `#` in an ID survives.
      const links = JSON.stringify(dashboard).match(/var-\w+=\$\{[^}]*\}/g) ?? [];
      for (const link of links) expect(link, file).toMatch(/:percentencode\}$/);
    }
    expect(checked).toBeGreaterThan(20);
    expect(unsafeVariableUses("k = '${key_id}' AND a = $account_id AND b = [[b]]")).toEqual([
      '${key_id}',
      '$account_id',
      '[[b]]',
    ]);
    expect(unsafeVariableUses('k = ${key_id:sqlstring}')).toEqual(['${key_id:sqlstring}']);
    expect(
      unsafeVariableUses(
        "k = decodeURLComponent('${key_id:percentencode}') AND $__timeFilter(t) AND ${__from} > 0",
      ),
    ).toEqual([]);
  });

  it('expands macros and variables like the plugin and refuses leftovers', () => {
    const ctx: ExpandContext = {
      fromMs: 1_700_000_000_000,
      toMs: 1_700_003_600_000,
      intervalS: 60,
      variables: { key_id: 'key_1', multi: ["o'k", 'b\\c'] },
    };
    expect(
      expandQuery(
        "SELECT $__timeInterval(t) FROM x WHERE $__timeFilter(t) AND k = decodeURLComponent('${key_id:percentencode}') AND j = ${key_id:sqlstring} AND s = $__interval_s AND t < $__toTime AND t > $__fromTime",
        ctx,
      ),
    ).toBe(
      "SELECT toStartOfInterval(toDateTime(t), INTERVAL 60 second) FROM x WHERE t >= toDateTime(1700000000) AND t <= toDateTime(1700003600) AND k = decodeURLComponent('key_1') AND j = 'key_1' AND s = 60 AND t < toDateTime(1700003600) AND t > toDateTime(1700000000)",
    );
    expect(() => expandQuery('SELECT $__unknownMacro', ctx)).toThrow(/unexpanded/);
    expect(() => expandQuery('SELECT ${account_id:sqlstring}', ctx)).toThrow(/account_id/);
    // A variable without a format is pasted raw by Grafana: refused.
    expect(() => expandQuery("SELECT '${key_id}'", ctx)).toThrow(/without a safe format/);
    expect(() => expandQuery("SELECT '$key_id'", ctx)).toThrow(/without a safe format/);
    // Grafana's formatters, value for value.
    expect(grafanaSqlString("o'k\\")).toBe("'o''k\\'");
    expect(expandQuery('IN (${multi:sqlstring})', ctx)).toBe("IN ('o''k','b\\c')");
    expect(grafanaPercentEncode("a'b\\c (x)*! é%&")).toBe(
      'a%27b%5Cc%20%28x%29%2A%21%20%C3%A9%25%26',
    );
    expect(grafanaPercentEncode(['a', "b'"])).toBe('%7Ba%2Cb%27%7D');
  });

  describe('SQL against real data', () => {
    const { database } = testNames('grafana');
    let client: ClickHouseClient;
    const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
    let keyId = '';
    let accountId = '';
    // Appended to a copy of the top account's keys, account and incidents. Through Grafana's
    // sqlstring (quotes doubled, backslash kept) it would read `'…\'' OR 1 = 1 -- 100% é'` on
    // ClickHouse: the literal ends after the quote and the rest is SQL.
    const HOSTILE = "\\' OR 1 = 1 -- 100% é";
    const hostile = (id: string) => `${id}${HOSTILE}`;
    /** A result row with HOSTILE taken out of every string: the original subject's row. */
    const unhostile = (row: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          typeof v === 'string' ? v.split(HOSTILE).join('') : v,
        ]),
      );
    const sorted = (list: Record<string, unknown>[]) => list.map((r) => JSON.stringify(r)).sort();

    beforeAll(async () => {
      client = await migratedDatabase(database);
      const { events } = allScenarios(7, startMs);
      const loadOptions = {
        environments: ['production', 'staging', 'sandbox', 'development'],
        envMarkers: undefined,
        maxMessageBytes: 262_144,
      };
      const summary = await loadEvents(Readable.from([toNdjson(events)]), client, loadOptions);
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
      const alertRows = [
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
      ];
      // The top account again, every key and incident of it renamed with HOSTILE appended.
      await loadEvents(
        Readable.from([
          toNdjson(
            events
              .filter((e) => e.account_id === accountId)
              .map((e) => ({
                ...e,
                request_id: hostile(e.request_id),
                key_id: e.key_id === null ? null : hostile(e.key_id),
                account_id: hostile(accountId),
                ...(e.resource_owner === accountId && { resource_owner: hostile(accountId) }),
              })),
          ),
        ]),
        client,
        loadOptions,
      );
      await client.insert({
        table: 'alerts',
        format: 'JSONEachRow',
        values: [
          ...alertRows,
          ...alertRows.map((row) => ({
            ...row,
            alert_id: hostile(row.alert_id),
            key_id: hostile(keyId),
            account_id: hostile(accountId),
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
      expect(open.map((a) => [a.alert_id, a.severity, Number(a.acknowledged)]).sort()).toEqual([
        ['al_firing', 'high', 1],
        [hostile('al_firing'), 'high', 1],
      ]);
    });

    it('an ID with a quote and a backslash shows exactly its own data, as the plain ID does', async () => {
      const ctx = (key: string, account: string): ExpandContext => ({
        fromMs: startMs - 10 * 60_000,
        toMs: Date.now(),
        intervalS: 60,
        variables: { key_id: key, account_id: account },
      });
      let compared = 0;
      for (const { file, dashboard } of dashboards) {
        if (dashboard.uid === 'denyscope-overview') continue;
        for (const variable of dashboard.templating?.list ?? []) {
          const query =
            typeof variable.query === 'string' ? variable.query : (variable.query.rawSql ?? '');
          const values = await rows<Record<string, string>>(
            client,
            expandQuery(query, ctx(keyId, accountId)),
          );
          const expected = hostile(variable.name === 'key_id' ? keyId : accountId);
          expect(
            values.map((v) => Object.values(v)[0]),
            `${file} $${variable.name}`,
          ).toContain(expected);
        }
        for (const panel of allPanels(dashboard.panels)) {
          for (const target of panel.targets ?? []) {
            const where = `${file} panel ${panel.id} "${panel.title}" ${target.refId}`;
            const plain = await rows<Record<string, unknown>>(
              client,
              expandQuery(target.rawSql ?? '', ctx(keyId, accountId)),
            );
            const sql = expandQuery(target.rawSql ?? '', ctx(hostile(keyId), hostile(accountId)));
            let evil: Record<string, unknown>[];
            try {
              evil = await rows(client, sql);
            } catch (error) {
              throw new Error(`${where}: ${(error as Error).message}\n${sql}`, { cause: error });
            }
            if (mustHaveRows[dashboard.uid]?.includes(panel.id)) {
              expect(evil.length, `${where} returned no rows`).toBeGreaterThan(0);
            }
            // Same rows as the plain ID's, once HOSTILE is taken out: nothing more, nothing less.
            expect(sorted(evil.map(unhostile)), where).toEqual(sorted(plain));
            compared += 1;
          }
        }
      }
      expect(compared).toBeGreaterThan(8);
    });

    it("Grafana's sqlstring alone is not safe on ClickHouse: backslashes are escapes there", async () => {
      const at = (sql: string, value: string) =>
        expandQuery(sql, { fromMs: 0, toMs: 0, intervalS: 60, variables: { v: value } });
      // A backslash before a letter is an escape sequence: `\b` reads as a backspace.
      const [mangled] = await rows<{ got: string }>(
        client,
        at('SELECT ${v:sqlstring} AS got', 'a\\b'),
      );
      expect(mangled?.got).toBe('a\b');
      // A trailing backslash escapes the closing quote: the panel fails.
      await expect(rows(client, at('SELECT ${v:sqlstring} AS got', 'a\\'))).rejects.toThrow();
      // `\'` ends the literal early: the key filter below matches every key.
      const escaped = await rows<{ key_id: string }>(
        client,
        at('SELECT DISTINCT key_id FROM denials WHERE key_id = ${v:sqlstring}', hostile(keyId)),
      );
      expect(escaped.length).toBeGreaterThan(2);
      // The dashboards' form gives back each of these values exactly.
      for (const value of ['a\\b', 'a\\', hostile(keyId), "'", "\\'"]) {
        const [exact] = await rows<{ got: string }>(
          client,
          at("SELECT decodeURLComponent('${v:percentencode}') AS got", value),
        );
        expect(exact?.got).toBe(value);
      }
      // And the decoded constant still selects by the primary key (denials: key_id first).
      const result = await client.query({
        query: at(
          "SELECT count() AS n FROM denials WHERE key_id = decodeURLComponent('${v:percentencode}')",
          hostile(keyId),
        ),
        format: 'JSONEachRow',
        clickhouse_settings: { force_primary_key: 1 },
      });
      const [counted] = await result.json<{ n: string }>();
      expect(Number(counted?.n)).toBeGreaterThan(0);
    });
  });
});
