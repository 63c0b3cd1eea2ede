// How Grafana and the grafana-clickhouse-datasource plugin turn a dashboard's rawSql into the SQL
// that reaches ClickHouse, re-implemented for grafana-dashboards.int.test.ts (no Grafana runs in
// the tests). The formatters copy Grafana's own (public/app/features/templating/formatRegistry,
// @grafana/scenes formatRegistry): keep them exact, the test's safety claims rest on them.

export type VariableValue = string | string[];

/**
 * Grafana's `sqlstring` format: each value in single quotes with every `'` doubled, multi-values
 * joined by commas. Nothing else is escaped, so a backslash reaches ClickHouse as written, where
 * it starts an escape sequence inside a string literal: see grafanaVariableUses.
 */
export function grafanaSqlString(value: VariableValue): string {
  const one = (v: string) => `'${v.replace(/'/g, "''")}'`;
  return Array.isArray(value) ? value.map(one).join(',') : one(value);
}

/**
 * Grafana's `percentencode` format: encodeURIComponent, plus `!'()*` as %XX; a multi-value is
 * encoded as one glob `{a,b}`. The output holds only `A-Za-z0-9-_.~%`, so it is inert inside any
 * SQL string literal, and ClickHouse's decodeURLComponent gives back the exact value.
 */
export function grafanaPercentEncode(value: VariableValue): string {
  const text = Array.isArray(value) ? `{${value.join(',')}}` : value;
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The one way a dashboard may put a template variable into SQL. */
export const SAFE_VARIABLE = /decodeURLComponent\('\$\{(\w+):percentencode\}'\)/g;

/**
 * Template variable references in SQL that are not in the safe form, e.g. `'${key_id}'`,
 * `$key_id`, `[[key_id]]`, `${key_id:sqlstring}`. Grafana's global variables and the plugin's
 * macros (`$__from`, `$__timeFilter(…)`: numbers and times Grafana computes) are not user input
 * and are allowed.
 *
 * Why not `${var:sqlstring}`: Grafana's sqlstring only doubles quotes, while ClickHouse also
 * reads backslash escapes in string literals, so the value `x\' OR 1 = 1 --` becomes
 * `'x\'' OR 1 = 1 --'`: the literal ends after `x'` and the rest is SQL. The int test shows it.
 */
export function unsafeVariableUses(sql: string): string[] {
  const rest = sql.replace(SAFE_VARIABLE, '');
  const refs = rest.match(/\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\]/g) ?? [];
  return refs.filter((ref) => !/^(\$\{|\$|\[\[)__/.test(ref));
}

export interface ExpandContext {
  /** Dashboard time range, epoch milliseconds. */
  fromMs: number;
  toMs: number;
  /** The panel's interval in seconds (Grafana: range / max data points, at least the panel's min interval). */
  intervalS: number;
  /** Template variables by name. */
  variables: Record<string, VariableValue>;
}

export const durationS = (text: string): number => {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`unsupported interval ${text}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
};

const FORMATS: Record<string, (value: VariableValue) => string> = {
  sqlstring: grafanaSqlString,
  percentencode: grafanaPercentEncode,
};

/**
 * Expands a panel's rawSql in two steps, as at run time:
 * 1. Grafana (frontend) replaces template variables `${name:format}` (only the formats above;
 *    a variable without a format is refused: Grafana would paste the raw value) and its global
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
export function expandQuery(sql: string, ctx: ExpandContext): string {
  const fromS = Math.floor(ctx.fromMs / 1000);
  const toS = Math.floor(ctx.toMs / 1000);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  let out = sql;
  // Step 1: Grafana's template variables.
  out = out.replace(
    /\$\{(\w+)(?::(\w+))?\}|\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]/g,
    (whole, a, fmtA, b, c, fmtC) => {
      const name = (a ?? b ?? c) as string;
      const format = (fmtA ?? fmtC) as string | undefined;
      if (name === '__from') return String(ctx.fromMs);
      if (name === '__to') return String(ctx.toMs);
      if (name === '__interval') return `${ctx.intervalS}s`;
      if (name === '__interval_ms') return String(ctx.intervalS * 1000);
      if (name.startsWith('__')) return whole; // a plugin macro, step 2
      const value = ctx.variables[name];
      if (value === undefined) throw new Error(`no value for template variable ${name}`);
      const formatter = format === undefined ? undefined : FORMATS[format];
      if (!formatter) throw new Error(`template variable ${whole} without a safe format`);
      return formatter(value);
    },
  );
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
