import type { AlertNotification, Severity } from '@denyscope/alerts';
import { runbookUrl } from './runbook-link.js';
import type { SinkFactory } from './sink.js';

// Block Kit, as far as the notifier uses it. Limits from Slack's reference: header text 150
// characters, section text 3000, at most 10 fields of 2000 each.
type Text =
  { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: Text & { type: 'plain_text' } }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Shown in notifications and by clients that cannot render blocks. */
  text: string;
  blocks: SlackBlock[];
}

const EMOJI: Record<Severity, string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':large_yellow_circle:',
  info: ':information_source:',
};
const EVIDENCE_ITEMS = 6;

/** Renders one notification as an incoming-webhook message; resolved ones read as resolved. */
export function renderSlackMessage(
  { alert, transition }: AlertNotification,
  runbookBaseUrl?: string,
): SlackMessage {
  const resolved = transition === 'resolved';
  const severity = alert.severity.toUpperCase();
  const headline = resolved
    ? `:white_check_mark: RESOLVED ${severity} · ${alert.rule}`
    : `${EMOJI[alert.severity]} ${severity} · ${alert.rule}${transition === 'escalated' ? ' (escalated)' : ''}`;
  const subject = Object.entries(alert.subject)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}: ${code(String(value))}`)
    .join('\n');
  const evidence = Object.entries(alert.evidence)
    .slice(0, EVIDENCE_ITEMS)
    .map(([name, value]) =>
      field(name, code(short(typeof value === 'string' ? value : JSON.stringify(value)))),
    );
  const link = runbookUrl(alert.runbook, runbookBaseUrl);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(headline, 150), emoji: true } },
    {
      type: 'section',
      text: mrkdwn(cut(`${resolved ? '*Resolved:* ' : ''}${escape(alert.summary)}`, 3000)),
    },
    {
      type: 'section',
      fields: [
        field('Subject', subject === '' ? '—' : subject),
        field('Env', escape(alert.env)),
        field('Window', `${alert.window.start} → ${alert.window.end}`),
        field('First / last seen', `${alert.first_seen}\n${alert.last_seen}`),
      ],
    },
  ];
  if (evidence.length > 0) blocks.push({ type: 'section', fields: evidence });
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(`alert_id ${code(alert.alert_id)}`),
      mrkdwn(link === undefined ? `runbook ${code(alert.runbook)}` : `<${link}|runbook>`),
    ],
  });
  const text = `[${resolved ? 'RESOLVED' : severity}] ${alert.rule} in ${alert.env}: ${alert.summary}`;
  return { text: cut(text, 3000), blocks };
}

export const createSlackSink: SinkFactory<'slack'> = (settings, { post, runbookBaseUrl }) => ({
  // The webhook URL's path is the credential; only the host is ever shown.
  target: new URL(settings.webhookUrl).host,
  deliver: (notification) =>
    post({
      url: settings.webhookUrl,
      body: JSON.stringify(renderSlackMessage(notification, runbookBaseUrl)),
    }),
});

function mrkdwn(text: string): Text {
  return { type: 'mrkdwn', text };
}

function field(name: string, value: string): Text {
  return mrkdwn(cut(`*${escape(name)}*\n${value}`, 2000));
}

/** Slack's three control characters; without this, `<!channel>` in an ID would ping a channel. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Inline code, escaped; a backtick in the value would end the span, so it is dropped. */
function code(text: string): string {
  return `\`${escape(text.replaceAll('`', "'"))}\``;
}

function short(text: string): string {
  return cut(text, 200);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
