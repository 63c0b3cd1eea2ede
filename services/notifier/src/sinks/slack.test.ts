import { describe, expect, it } from 'vitest';
import { HOSTILE_CORPUS } from '@denyscope/alerts';
import { notificationFixture } from '../../test/fixtures.js';
import {
  BIDI_OR_SEPARATOR,
  CONTROL_CHARACTER,
  hasLoneSurrogate,
  SLACK_CONTROL_SEQUENCE,
} from './hostile-output.test-helpers.js';
import { renderSlackMessage, type SlackBlock, type SlackMessage } from './slack.js';

function blockText(blocks: SlackBlock[]): string {
  return JSON.stringify(blocks);
}

describe('renderSlackMessage', () => {
  it('renders header, summary, fields, evidence and context blocks with a text fallback', () => {
    const message = renderSlackMessage(notificationFixture('opened', 1));
    expect(message.text).toBe(
      '[HIGH] id-enumeration in production: key_1 was denied on 212 distinct invoice IDs in 5 min',
    );
    expect(message.blocks.map((block) => block.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'context',
    ]);
    const [header, summary, fields, evidence, context] = message.blocks;
    expect(header).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':red_circle: HIGH · id-enumeration', emoji: true },
    });
    expect(summary).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'key_1 was denied on 212 distinct invoice IDs in 5 min',
        verbatim: true,
      },
    });
    const fieldTexts = (fields?.type === 'section' ? fields.fields : [])?.map((f) => f.text);
    expect(fieldTexts).toEqual([
      '*Subject*\nkey_id: `key_1`\naccount_id: `acct_1`',
      '*Env*\nproduction',
      '*Window*\n2026-11-27T10:00:00Z → 2026-11-27T10:05:00Z',
      '*First / last seen*\n2026-11-27T10:00:03Z\n2026-11-27T10:04:59Z',
    ]);
    expect(blockText([evidence!])).toContain('*distinct_ids*\\n`212`');
    expect(context).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'alert_id `id-enumeration-5f2c`', verbatim: true },
        { type: 'mrkdwn', text: 'runbook `docs/runbooks/id-enumeration.md`', verbatim: true },
      ],
    });
  });

  it('renders resolved alerts as resolved and escalations as escalated', () => {
    const resolved = renderSlackMessage(notificationFixture('resolved', 3));
    expect(resolved.text).toMatch(/^\[RESOLVED\] id-enumeration/);
    expect(blockText(resolved.blocks)).toContain(
      ':white_check_mark: RESOLVED HIGH · id-enumeration',
    );
    expect(blockText(resolved.blocks)).toContain('*Resolved:* ');

    const escalated = renderSlackMessage(
      notificationFixture('escalated', 2, { severity: 'critical' }),
    );
    expect(escalated.blocks[0]).toMatchObject({
      text: { text: ':rotating_light: CRITICAL · id-enumeration (escalated)' },
    });
  });

  it('links the runbook when a base URL is configured', () => {
    const message = renderSlackMessage(
      notificationFixture('opened', 1),
      'https://git.example.com/denyscope/blob/main',
    );
    expect(blockText(message.blocks)).toContain(
      '<https://git.example.com/denyscope/blob/main/docs/runbooks/id-enumeration.md|runbook>',
    );
  });

  it('escapes untrusted text so it cannot mention channels or inject links', () => {
    const message = renderSlackMessage(
      notificationFixture('opened', 1, {
        summary: 'key <!channel> & <https://evil.example|click>',
        subject: { key_id: 'k`<!here>' },
        runbook: 'https://evil.example/runbook',
      }),
      'https://git.example.com/x/',
    );
    const json = blockText(message.blocks);
    expect(json).not.toMatch(/<!channel>|<!here>|<https:\/\/evil/);
    expect(json).toContain('key &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    // The backtick that would end the code span becomes a look-alike (U+02CB).
    expect(json).toContain('key_id: `k\u02cb&lt;!here&gt;`');
  });

  it("shows the alert's decision first: the facts that crossed which thresholds, and why this severity", () => {
    const message = renderSlackMessage(
      notificationFixture('opened', 1, {
        evidence: {
          decision: {
            crossed: [
              { fact: 'guessed_ids', value: 63, threshold: '>= 50 in 5 min' },
              { fact: 'guess_share', value: 0.93, threshold: '>= 0.5' },
            ],
            severity_reason: 'a scan: guesses are 93% of the IDs the key addressed',
          },
          guessed_ids: 63,
        },
      }),
    );
    const sections = message.blocks.filter((b) => b.type === 'section');
    expect(sections.map((b) => b.text?.text)).toContain(
      '*Why:* guessed_ids 63 (&gt;= 50 in 5 min) · guess_share 0.93 (&gt;= 0.5)\n' +
        '*Severity:* a scan: guesses are 93% of the IDs the key addressed',
    );
    // Not repeated as a raw JSON field.
    expect(JSON.stringify(message.blocks)).not.toContain('"crossed"');
  });

  it('keeps within Block Kit limits for long values', () => {
    const message = renderSlackMessage(
      notificationFixture('opened', 1, {
        summary: 'x'.repeat(5000),
        evidence: Object.fromEntries(
          Array.from({ length: 20 }, (_, i) => [`e${i}`, 'y'.repeat(900)]),
        ),
      }),
    );
    for (const block of message.blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
      if (block.type === 'section') {
        expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
        for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
      }
    }
  });
});

describe('renderSlackMessage with hostile input (issue 11 item 6)', () => {
  it('escapes the top-level text (mobile notifications) like the blocks', () => {
    const message = renderSlackMessage(
      notificationFixture('opened', 1, {
        summary: 'key <!channel> <https://evil.example|reset> was denied',
        subject: { key_id: '<!channel> <https://evil.example|reset>' },
      }),
    );
    expect(message.text).not.toMatch(SLACK_CONTROL_SEQUENCE);
    expect(message.text).toContain('&lt;!channel&gt; &lt;https://evil.example|reset&gt;');
  });

  it('renders every corpus string, in every untrusted field, without a live control sequence', () => {
    for (const hostile of HOSTILE_CORPUS) {
      const message = renderSlackMessage(
        notificationFixture('opened', 1, {
          alert_id: hostile,
          env: hostile,
          summary: hostile,
          subject: { key_id: hostile, account_id: hostile, client_ip: hostile },
          evidence: { [hostile]: hostile, sample: [hostile] },
          runbook: hostile,
        }),
        'https://git.example.com/x/',
      );
      for (const text of slackTexts(message)) {
        expect(text, JSON.stringify(hostile)).not.toMatch(SLACK_CONTROL_SEQUENCE);
        expect(text, JSON.stringify(hostile)).not.toMatch(CONTROL_CHARACTER);
        expect(text, JSON.stringify(hostile)).not.toMatch(BIDI_OR_SEPARATOR);
        expect(hasLoneSurrogate(text), JSON.stringify(hostile)).toBe(false);
        // A mention Slack would parse with link_names: '@' directly followed by the word.
        expect(text).not.toMatch(/@(channel|here|everyone)/);
      }
      expect(message.text.length).toBeLessThanOrEqual(3000);
    }
  });
});

/** Every string of a message that Slack renders. */
function slackTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'header') texts.push(block.text.text);
    if (block.type === 'section') {
      if (block.text) texts.push(block.text.text);
      for (const f of block.fields ?? []) texts.push(f.text);
    }
    if (block.type === 'context') for (const e of block.elements) texts.push(e.text);
  }
  return texts;
}
