import { replaceUnsafe, toSpaceOrReplacement } from './unsafe-chars.js';

/*
 * Slack mrkdwn, for the top-level `text` (notifications, fallback) and every mrkdwn text object.
 * Slack decodes only three entities and reads everything between `<` and `>` as a control
 * sequence (`<!channel>`, `<@U…>`, `<#C…>`, `<url|label>`), so `&`, `<`, `>` become entities
 * (https://api.slack.com/reference/surfaces/formatting#escaping). Slack has no escape for its
 * formatting markers, so:
 * - `@channel`, `@here`, `@everyone` (mentions when a message is sent with link_names) get a
 *   WORD JOINER (U+2060) after the `@`: they read the same and no longer match;
 * - in running text `*`, `~` and `` ` `` become look-alikes that Slack does not parse (∗ ∼ ˋ), and
 *   `_` only where it could open or close italics (at a word boundary), so `key_live_01` stays as
 *   it is;
 * - in code spans formatting is off; only the backtick that would end the span is replaced;
 * - no untrusted value can start a line (line breaks become spaces), so none starts a `>` quote.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const LOOK_ALIKES: Record<string, string> = { '*': '\u2217', '~': '\u223c', '`': '\u02cb' };
const WORD_JOINER = '\u2060';

function common(value: string): string {
  return replaceUnsafe(value, toSpaceOrReplacement)
    .replace(/[&<>]/g, (ch) => ENTITIES[ch] ?? ch)
    .replace(/@(?=(?:channel|here|everyone|group)\b)/gi, `@${WORD_JOINER}`);
}

/** Untrusted text in running mrkdwn text (a summary, an env name). */
export function escapeSlack(value: string): string {
  return common(value)
    .replace(/[*~`]/g, (ch) => LOOK_ALIKES[ch] ?? ch)
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\uff3f');
}

/** Untrusted text as an inline code span, delimiters included: shows an ID exactly. */
export function slackCode(value: string): string {
  return `\`${common(value).replaceAll('`', LOOK_ALIKES['`'] ?? "'")}\``;
}

/**
 * Cuts escaped mrkdwn to `max` code units, `…` included: never inside a surrogate pair or an
 * entity (`&am…` would show as text), and never leaving a code span open.
 */
export function truncateSlack(mrkdwn: string, max: number): string {
  if (mrkdwn.length <= max) return mrkdwn;
  let cut = safePrefix(mrkdwn, max - 1);
  if (backticks(cut) % 2 === 1) {
    cut = safePrefix(cut, max - 2);
    if (backticks(cut) % 2 === 1) cut += '`';
  }
  return `${cut}…`;
}

function safePrefix(text: string, length: number): string {
  if (text.length <= length) return text;
  const last = text.charCodeAt(length - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? length - 1 : length;
  return text.slice(0, end).replace(/&[a-z]*$/, '');
}

function backticks(text: string): number {
  return text.split('`').length - 1;
}
