// Renders a child's log line for the console: one line per event, service name first. pino's
// JSON lines are shortened to time, level, message and the remaining fields; incident state
// changes (detector), delivered alerts (notifier's log sink) and injected scenarios (simulator)
// stand out. Anything that is not a JSON object is printed as it came, escaped.
//
// Every value in a child's line may come from an event (key IDs, summaries, a log line that quotes
// a request): all of it goes through escapeTerminal, so an ESC/OSC sequence, a CR/LF that forges a
// line or a bidi override prints as visible text (`\u001b`). The only control characters written
// are the colours below, added after escaping.

import { escapeTerminal } from '@denyscope/alerts';

export interface PrettyOptions {
  /** ANSI colours (only on a terminal). */
  color: boolean;
  /** Width the service names are padded to. */
  nameWidth?: number;
  /** Longest rendering of one field value. Default 160. */
  maxValue?: number;
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  magenta: '\u001b[35m',
  cyan: '\u001b[36m',
} as const;

type Colour = keyof typeof ANSI;

const LEVEL_COLOURS: Record<string, Colour> = {
  fatal: 'red',
  error: 'red',
  warn: 'yellow',
  debug: 'dim',
  trace: 'dim',
};

/** Fields every pino line carries, or that the prefix already shows. */
const HIDDEN = new Set(['time', 'level', 'msg', 'service', 'pid', 'hostname']);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as it came (a string) or as JSON; not yet safe to print. */
function raw(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/** The value, safe to print. */
function text(value: unknown): string {
  return escapeTerminal(raw(value));
}

function clock(time: unknown): string {
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date();
  return Number.isNaN(date.getTime()) ? '--:--:--' : date.toISOString().slice(11, 19);
}

function subjectText(subject: unknown): string {
  if (!isObject(subject)) return '';
  return ['key_id', 'account_id', 'client_ip', 'component']
    .filter((field) => typeof subject[field] === 'string')
    .map((field) => `${field.replace('_id', '')}=${text(subject[field])}`)
    .join(' ');
}

function fieldsText(fields: Json, maxValue: number): string {
  return Object.entries(fields)
    .filter(([name]) => !HIDDEN.has(name))
    .map(([name, value]) => `${escapeTerminal(name)}=${escapeTerminal(raw(value), maxValue + 1)}`)
    .join(' ');
}

/** The body of a line that deserves attention, or null for an ordinary line. */
function highlight(fields: Json): { body: string; colour: Colour } | null {
  if (fields.msg === 'incident state changed') {
    const transition = raw(fields.transition);
    return {
      body:
        `▲ INCIDENT ${escapeTerminal(transition.toUpperCase())}  ${text(fields.rule)} ${text(fields.severity)}  ` +
        `${subjectText(fields.subject)}${fields.muted === true ? '  (muted)' : ''}  alert=${text(fields.alertId)}`,
      colour: transition === 'resolved' ? 'green' : 'red',
    };
  }
  if (fields.msg === 'alert' && isObject(fields.alert)) {
    const { alert } = fields;
    const transition = raw(fields.transition);
    return {
      body:
        `✉ ALERT ${escapeTerminal(transition)} ${text(alert.severity)} ${text(alert.rule)}  ` +
        `${subjectText(alert.subject)}  ${text(alert.summary)}`,
      colour: transition === 'resolved' ? 'green' : 'magenta',
    };
  }
  if (typeof fields.scenario === 'string' && Array.isArray(fields.expect)) {
    const expected = fields.expect
      .filter(isObject)
      .map(
        (e) =>
          `${text(e.rule)}${e.severity === undefined ? '' : ` (${text(e.severity)})`} for ${subjectText(e.subject)}`,
      )
      .join('; ');
    return {
      body: `◆ injected ${text(fields.scenario)} (${text(fields.events)} events) → expect ${expected}`,
      colour: 'cyan',
    };
  }
  return null;
}

/** One console line for one line a child wrote. */
export function prettyLine(service: string, line: string, options: PrettyOptions): string {
  const paint = (colour: Colour, s: string): string =>
    options.color ? `${ANSI[colour]}${s}${ANSI.reset}` : s;
  const name = service.padEnd(options.nameWidth ?? 9);
  let parsed: unknown;
  try {
    parsed = line.startsWith('{') ? JSON.parse(line) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) return `${paint('dim', name)} │ ${escapeTerminal(line)}`;
  const time = clock(parsed.time ?? parsed.injected_at);
  const special = highlight(parsed);
  if (special !== null) {
    return `${paint('dim', name)} │ ${time} ${paint('bold', paint(special.colour, special.body))}`;
  }
  const level = typeof parsed.level === 'string' ? parsed.level : 'info';
  const levelText = escapeTerminal(level.toUpperCase()).padEnd(5);
  const msg = typeof parsed.msg === 'string' ? escapeTerminal(parsed.msg) : '';
  const rest = fieldsText(parsed, options.maxValue ?? 160);
  const body = `${levelText} ${msg}${rest === '' ? '' : `  ${paint('dim', rest)}`}`;
  const colour = LEVEL_COLOURS[level];
  return `${paint('dim', name)} │ ${time} ${colour === undefined ? body : paint(colour, body)}`;
}
