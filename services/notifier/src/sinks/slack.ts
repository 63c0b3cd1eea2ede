import {
  escapeSlack,
  slackCode,
  truncate,
  truncateSlack,
  type AlertNotification,
  type Severity,
} from '@denyscope/alerts';
import { runbookUrl } from './runbook-link.js';
import type { SinkFactory } from './sink.js';

// Block Kit, as far as the notifier uses it. Limits from Slack's reference: header text 150
// characters, section text 3000, at most 10 fields of 2000 each.
type Text =
  | { type: 'plain_text'; text: string; emoji?: boolean }
  | { type: 'mrkdwn'; text: string; verbatim?: boolean };
export type SlackBlock =
  | { type: 'header'; text: Text & { type: 'plain_text' } }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Shown in notifications and by clients that cannot render blocks; mrkdwn, escaped like blocks. */
  text: string;
  blocks: SlackBlock[];
  /** No previews: Slack would fetch (and show) whatever URL an attacker put in an ID. */
  unfurl_links: false;
  unfurl_media: false;
}

const EMOJI: Record<Severity, string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':large_yellow_circle:',
  info: ':information_source:',
};
const EVIDENCE_ITEMS = 6;

/**
 * Renders one notification as an incoming-webhook message; resolved ones read as resolved. Every
 * value from the alert is untrusted (it comes from event fields): it goes through `escapeSlack`
 * (running text) or `slackCode` (IDs), in the blocks and in the top-level `text` alike. Only the
 * header is plain_text, and it holds the severity and rule ID (both enums) and nothing else.
 */
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
    .map(([name, value]) => `${escapeSlack(name)}: ${slackCode(short(String(value)))}`)
    .join('\n');
  const why = decisionText(alert.evidence.decision);
  const evidence = Object.entries(alert.evidence)
    .filter(([name]) => why === undefined || name !== 'decision')
    .slice(0, EVIDENCE_ITEMS)
    .map(([name, value]) =>
      field(name, slackCode(short(typeof value === 'string' ? value : JSON.stringify(value)))),
    );
  const link = runbookUrl(alert.runbook, runbookBaseUrl);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(headline, 150), emoji: true } },
    {
      type: 'section',
      text: mrkdwn(cut(`${resolved ? '*Resolved:* ' : ''}${escapeSlack(alert.summary)}`, 3000)),
    },
    {
      type: 'section',
      fields: [
        field('Subject', subject === '' ? '—' : subject),
        field('Env', escapeSlack(alert.env)),
        field('Window', `${alert.window.start} → ${alert.window.end}`),
        field('First / last seen', `${alert.first_seen}\n${alert.last_seen}`),
      ],
    },
  ];
  if (why !== undefined) blocks.push({ type: 'section', text: mrkdwn(cut(why, 3000)) });
  if (evidence.length > 0) blocks.push({ type: 'section', fields: evidence });
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(cut(`alert_id ${slackCode(short(alert.alert_id))}`, 3000)),
      mrkdwn(link === undefined ? `runbook ${slackCode(short(alert.runbook))}` : slackLink(link)),
    ],
  });
  const text = `[${resolved ? 'RESOLVED' : severity}] ${alert.rule} in ${escapeSlack(alert.env)}: ${escapeSlack(alert.summary)}`;
  return { text: cut(text, 3000), blocks, unfurl_links: false, unfurl_media: false };
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

/**
 * `evidence.decision` (docs/rules.md: which facts crossed which thresholds, and why the alert has
 * its severity) as two lines on-call reads first; undefined when the evidence has none.
 */
function decisionText(decision: unknown): string | undefined {
  if (typeof decision !== 'object' || decision === null) return undefined;
  const { crossed, severity_reason: reason } = decision as Record<string, unknown>;
  if (!Array.isArray(crossed) || typeof reason !== 'string') return undefined;
  const facts = crossed
    .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null)
    .map((c) => `${String(c.fact)} ${String(c.value)} (${String(c.threshold)})`)
    .join(' · ');
  return `*Why:* ${escapeSlack(truncate(facts, 1000))}\n*Severity:* ${escapeSlack(truncate(reason, 1000))}`;
}

/** verbatim: Slack does not auto-link bare URLs or channel names in it; `<…>` we write still works. */
function mrkdwn(text: string): Text {
  return { type: 'mrkdwn', text, verbatim: true };
}

function field(name: string, value: string): Text {
  return mrkdwn(cut(`*${escapeSlack(name)}*\n${value}`, 2000));
}

/**
 * A link to a runbook URL that runbookUrl() accepted. Inside `<url|label>` a `|` ends the URL and
 * `>` ends the link, so both are percent-encoded; `&` and `<` are entities as everywhere.
 */
function slackLink(url: string): string {
  const safe = url
    .replaceAll('|', '%7C')
    .replaceAll('>', '%3E')
    .replaceAll('<', '%3C')
    .replaceAll('&', '&amp;');
  return `<${safe}|runbook>`;
}

function short(text: string): string {
  return truncate(text, 200);
}

/** Cuts rendered mrkdwn to a Block Kit limit without breaking an entity, pair or code span. */
function cut(text: string, max: number): string {
  return truncateSlack(text, max);
}
