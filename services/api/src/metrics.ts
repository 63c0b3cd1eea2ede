import { SEVERITIES } from '@denyscope/alerts';
import type { ClickHouseClient } from '@denyscope/clickhouse';

/**
 * Prometheus text exposition, by hand: a few counters and gauges do not need a client library.
 * Labels are bounded: route templates (never raw URLs), methods, status codes, severities.
 */
export class ApiMetrics {
  private readonly requests = new Map<string, number>();
  private openIncidents: { at: number; bySeverity: Map<string, number> | undefined } | undefined;

  constructor(
    private readonly clickhouse: ClickHouseClient,
    private readonly cacheMs: number,
  ) {}

  countRequest(route: string, method: string, status: number): void {
    const key = `route="${escapeLabel(route)}",method="${method}",code="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const gauge = (name: string, help: string, value: number, type = 'gauge') =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    gauge(
      'process_cpu_seconds_total',
      'User and system CPU time spent, in seconds.',
      (cpu.user + cpu.system) / 1e6,
      'counter',
    );
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', memory.rss);
    gauge('nodejs_heap_used_bytes', 'V8 heap used, in bytes.', memory.heapUsed);
    gauge(
      'process_start_time_seconds',
      'Start time of the process since the Unix epoch, in seconds.',
      Math.round(Date.now() / 1000 - process.uptime()),
    );

    lines.push(
      '# HELP denyscope_api_http_requests_total HTTP requests answered, by route template and status code.',
      '# TYPE denyscope_api_http_requests_total counter',
    );
    for (const [labels, count] of this.requests) {
      lines.push(`denyscope_api_http_requests_total{${labels}} ${count}`);
    }

    const open = await this.openIncidentsBySeverity();
    lines.push(
      '# HELP denyscope_open_incidents Incidents currently firing, by severity (from the alerts table).',
      '# TYPE denyscope_open_incidents gauge',
    );
    if (open !== undefined) {
      for (const severity of SEVERITIES) {
        lines.push(`denyscope_open_incidents{severity="${severity}"} ${open.get(severity) ?? 0}`);
      }
    }
    gauge(
      'denyscope_open_incidents_up',
      '1 if the open-incident count could be read from ClickHouse.',
      open === undefined ? 0 : 1,
    );
    return `${lines.join('\n')}\n`;
  }

  /** Cached for `cacheMs`, so scrapes never turn into a ClickHouse load. */
  private async openIncidentsBySeverity(): Promise<Map<string, number> | undefined> {
    const now = Date.now();
    if (this.openIncidents !== undefined && now - this.openIncidents.at < this.cacheMs) {
      return this.openIncidents.bySeverity;
    }
    let bySeverity: Map<string, number> | undefined;
    try {
      const result = await this.clickhouse.query({
        query: `
          SELECT a_severity AS sev, count() AS n
          FROM (
            SELECT alert_id,
              argMaxIf(severity, version, version > 0) AS a_severity,
              argMaxIf(status, version, version > 0) AS a_status
            FROM alerts FINAL
            GROUP BY alert_id
          )
          WHERE a_status = 'firing'
          GROUP BY a_severity`,
        format: 'JSONEachRow',
      });
      const rows = await result.json<{ sev: string; n: string | number }>();
      bySeverity = new Map(rows.map((row) => [row.sev, Number(row.n)]));
    } catch {
      bySeverity = undefined;
    }
    this.openIncidents = { at: now, bySeverity };
    return bySeverity;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`));
}
