const HTML: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text and attribute values for HTML and SVG: every character that could end a context. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML[ch] ?? ch);
}

/**
 * Untrusted text inside a Markdown table cell or paragraph: backslash-escapes Markdown syntax
 * (pipes would split cells, backticks open code spans), turns line breaks into spaces (a newline
 * ends the table row) and escapes HTML, which most Markdown renderers pass through.
 */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|~<>&"']/g, (ch) => {
      if (ch === '<') return '&lt;';
      if (ch === '>') return '&gt;';
      if (ch === '&') return '&amp;';
      if (ch === '"') return '&quot;';
      if (ch === "'") return '&#39;';
      return `\\${ch}`;
    });
}
