import { escapeHtml } from './html.js';
import { replaceUnsafe, toSpaceOrReplacement } from './unsafe-chars.js';

/**
 * Untrusted text inside a Markdown paragraph, heading or table cell. Line breaks become spaces (a
 * newline would end the table row, and the value can then never start a line, so no heading `#`,
 * quote `>` or list marker of its own); every ASCII punctuation character that CommonMark or GFM
 * gives a meaning (pipes split cells, backticks open code spans, `[`/`]`/`(`/`)`/`!` make links and
 * images, `*`/`_`/`~` emphasis, `\` escapes) is backslash-escaped; and the HTML characters are
 * entities, because most renderers pass raw HTML through (`<script>`).
 */
export function escapeMarkdown(value: string): string {
  return replaceUnsafe(value, toSpaceOrReplacement).replace(/[\\`*_{}[\]()#+\-.!|~<>&"']/g, (ch) =>
    /[<>&"']/.test(ch) ? escapeHtml(ch) : `\\${ch}`,
  );
}
