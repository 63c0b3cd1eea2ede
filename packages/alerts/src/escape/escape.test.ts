import { describe, expect, it } from 'vitest';
import { HOSTILE_CORPUS } from './hostile-corpus.js';
import { escapeHtml } from './html.js';
import { escapeMarkdown } from './markdown.js';
import { plainText, plainTextDeep } from './plain-text.js';
import { escapeSlack, slackCode, truncateSlack } from './slack.js';
import { escapeTerminal } from './terminal.js';
import { truncate } from './unsafe-chars.js';

// What must never survive into any medium (each medium may forbid more).
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI_OR_SEPARATOR = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/;

function expectNoUnsafe(out: string, input: string): void {
  const about = JSON.stringify(input);
  expect(out, about).not.toMatch(CONTROL);
  expect(out, about).not.toMatch(BIDI_OR_SEPARATOR);
  expect(out.isWellFormed(), about).toBe(true);
}

describe('the hostile corpus', () => {
  it('holds what issue 11 lists', () => {
    const all = HOSTILE_CORPUS.join('\n');
    for (const needle of [
      '<!channel>',
      '<https://evil.example|reset>',
      '&amp;',
      '*bold*',
      '_x_',
      '~x~',
      '`x`',
      '\u001b[31m',
      '\u001b]8;;https://evil\u0007',
      '\r\n',
      '\u0000',
      '\ud800',
      '\u202e',
      '\u2028',
      '| table | pipes |',
      '[link](javascript:alert(1))',
      '<script>',
      '# heading',
    ]) {
      expect(all).toContain(needle);
    }
    expect(HOSTILE_CORPUS.some((s) => s.length >= 2000)).toBe(true);
  });
});

describe('escapeSlack and slackCode', () => {
  it('turns control sequences into text and neutralises mentions and formatting', () => {
    expect(escapeSlack('<!channel> <https://evil.example|reset> &amp;')).toBe(
      '&lt;!channel&gt; &lt;https://evil.example|reset&gt; &amp;amp;',
    );
    expect(escapeSlack('@channel @Here')).toBe('@\u2060channel @\u2060Here');
    expect(escapeSlack('*bold* _x_ ~x~ `x`')).toBe(
      '\u2217bold\u2217 \uff3fx\uff3f \u223cx\u223c \u02cbx\u02cb',
    );
    expect(escapeSlack('key_live_01')).toBe('key_live_01');
    expect(escapeSlack('a\r\n> quote')).toBe('a  &gt; quote');
    expect(slackCode('k`<!here>*b*')).toBe('`k\u02cb&lt;!here&gt;*b*`');
  });

  it.each(HOSTILE_CORPUS.map((s) => [s]))('leaves nothing live in %j', (hostile) => {
    for (const out of [escapeSlack(hostile), slackCode(hostile)]) {
      expectNoUnsafe(out, hostile);
      expect(out).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
      expect(out).not.toMatch(/@(channel|here|everyone)/i);
    }
    expect(escapeSlack(hostile)).not.toMatch(/[*~`]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/u);
    // A code span holds exactly its two delimiters.
    expect(slackCode(hostile).split('`')).toHaveLength(3);
  });

  it('cuts without splitting an entity, a surrogate pair or a code span', () => {
    expect(truncateSlack('ab&amp;cd', 5)).toBe('ab…');
    expect(truncateSlack('ab😀cd', 4)).toBe('ab…');
    expect(truncateSlack('x `abcdef`', 6)).toBe('x `a`…');
    expect(truncateSlack('short', 5)).toBe('short');
    for (const hostile of HOSTILE_CORPUS) {
      const cut = truncateSlack(`*k* ${slackCode(hostile)} ${escapeSlack(hostile)}`, 150);
      expect(cut.length).toBeLessThanOrEqual(150);
      expect(cut.isWellFormed()).toBe(true);
      expect(cut).not.toMatch(/&[a-z]*…$/);
      expect((cut.split('`').length - 1) % 2).toBe(0);
    }
  });
});

describe('plainText (PagerDuty)', () => {
  it('keeps text as it is, on one line, without controls', () => {
    expect(plainText('<!channel> *b* & | # x')).toBe('<!channel> *b* & | # x');
    expect(plainText('a\r\nb\tc\u0000d\u202ee\ud800')).toBe('a  b c\ufffdd\ufffde\ufffd');
  });

  it.each(HOSTILE_CORPUS.map((s) => [s]))('is one clean line for %j, cut safely', (hostile) => {
    const out = plainText(hostile, 1024);
    expectNoUnsafe(out, hostile);
    expect(out.length).toBeLessThanOrEqual(1024);
    expect(plainText(`a${hostile}`, 101).isWellFormed()).toBe(true);
  });

  it('cleans every string of a JSON value, keys included', () => {
    expect(plainTextDeep({ 'k\n': ['\u001b[31m', 1, null, { x: '\u202e' }] })).toEqual({
      'k ': ['\ufffd[31m', 1, null, { x: '\ufffd' }],
    });
  });
});

describe('escapeTerminal', () => {
  it('shows control characters as visible escapes', () => {
    expect(escapeTerminal('k\u001b[31mred\r\nforged\u202e\ud800')).toBe(
      'k\\u001b[31mred\\u000d\\u000aforged\\u202e\\ud800',
    );
    expect(escapeTerminal('😀😀', 3)).toBe('😀…');
  });

  it.each(HOSTILE_CORPUS.map((s) => [s]))('prints %j as inert text on one line', (hostile) => {
    const out = escapeTerminal(hostile);
    expectNoUnsafe(out, hostile);
    expect(out).not.toMatch(/[\r\n]/);
  });
});

describe('escapeMarkdown', () => {
  it('neutralises pipes, backticks, links, images, tags, headings and quotes', () => {
    expect(escapeMarkdown('| a |')).toBe('\\| a \\|');
    expect(escapeMarkdown('`x`')).toBe('\\`x\\`');
    expect(escapeMarkdown('[l](javascript:alert(1))')).toBe('\\[l\\]\\(javascript:alert\\(1\\)\\)');
    expect(escapeMarkdown('![i](u)')).toBe('\\!\\[i\\]\\(u\\)');
    expect(escapeMarkdown('<script>')).toBe('&lt;script&gt;');
    expect(escapeMarkdown('# h')).toBe('\\# h');
    expect(escapeMarkdown('> q')).toBe('&gt; q');
    expect(escapeMarkdown('a\nb')).toBe('a b');
  });

  it.each(HOSTILE_CORPUS.map((s) => [s]))('leaves no live syntax in %j', (hostile) => {
    const out = escapeMarkdown(hostile);
    expectNoUnsafe(out, hostile);
    expect(out).not.toMatch(/[\r\n<>"']/);
    // Every syntax character is preceded by a backslash that is itself not escaped.
    const bare = out
      .replace(/\\[\\`*_{}[\]()#+\-.!|~]/g, '')
      .replace(/&(amp|lt|gt|quot|#39);/g, '');
    expect(bare).not.toMatch(/[\\`*_{}[\]()#+\-.!|~]/);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that end a text or quoted-attribute context', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it.each(HOSTILE_CORPUS.map((s) => [s]))('leaves no markup in %j', (hostile) => {
    const out = escapeHtml(hostile);
    expectNoUnsafe(out, hostile);
    expect(out).not.toMatch(/[<>"']|&(?!amp;|lt;|gt;|quot;|#39;)/);
  });
});

describe('truncate', () => {
  it('never ends inside a surrogate pair', () => {
    expect(truncate('a😀b', 3)).toBe('a…');
    expect(truncate('ab😀', 3)).toBe('ab…');
    expect(truncate('abc', 3)).toBe('abc');
  });
});
