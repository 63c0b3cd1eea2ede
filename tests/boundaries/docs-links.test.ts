// Keeps the docs honest about the repository they describe: every relative link in README.md and
// docs/ (runbooks included) names a file or folder that exists, and a `#fragment` into a Markdown
// file names one of its headings; nothing points outside the repository (the design reference
// lives in a planning repo readers do not have: docs/contracts.md is the in-repo copy); and
// docs/architecture.md names every workspace folder, so a new package or service cannot land
// without a place in the map.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** README.md and every Markdown file under docs/, as repo-relative paths. */
function documents(): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found.sort();
}

/** The text outside fenced code blocks, where Markdown links are links. */
function proseOf(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .filter((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return false;
      }
      return !fenced;
    })
    .join('\n');
}

/** Inline code spans (`…`) of a text, and the text with them blanked out. */
function splitCode(prose: string): { code: string[]; text: string } {
  const code: string[] = [];
  const text = prose.replace(
    /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g,
    (_all, _ticks, inner: string) => {
      code.push(inner.trim());
      return ' ';
    },
  );
  return { code, text };
}

/**
 * Link targets of a Markdown text: inline links and images `[x](target "title")`, autolinks
 * are absolute so they are left out, and reference definitions `[x]: target`.
 */
function linkTargets(markdown: string): string[] {
  const { text } = splitCode(proseOf(markdown));
  const targets: string[] = [];
  // The target may span lines (a long link wrapped by the formatter).
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    targets.push(match[1]!);
  }
  for (const match of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) {
    targets.push(match[1]!);
  }
  return targets;
}

/**
 * Markdown files named by a relative path in code (`../x/README.md`): readers follow those like
 * links. (Other relative paths in code are often examples, such as a refused import.)
 */
function codePaths(markdown: string): string[] {
  return splitCode(proseOf(markdown)).code.filter((span) => /^\.{1,2}\/\S*\.md$/.test(span));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of proseOf(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = anchorOf(match[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const insideRepo = (absolute: string): boolean => {
  const rel = relative(REPO, absolute);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** What is wrong with one link target of `doc` (repo-relative), or null when it is fine. */
function problemOf(doc: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    return target.toLowerCase().startsWith('file:') ? `${target}: a file: URL` : null;
  }
  const [pathPart = '', fragment] = target.split('#', 2) as [string, string | undefined];
  const path = decodeURIComponent(pathPart.split('?')[0]!);
  if (path.startsWith('/')) return `${target}: an absolute path (use a relative link)`;
  const absolute = path === '' ? join(REPO, doc) : resolve(REPO, dirname(doc), path);
  if (!insideRepo(absolute)) return `${target}: leaves the repository`;
  if (!existsSync(absolute)) return `${target}: no such file (${relative(REPO, absolute)})`;
  if (fragment !== undefined && fragment !== '' && absolute.endsWith('.md')) {
    if (!statSync(absolute).isFile()) return null;
    if (!anchorsOf(absolute).has(fragment.toLowerCase())) {
      return `${target}: no heading #${fragment} in ${relative(REPO, absolute).split(sep).join('/')}`;
    }
  }
  return null;
}

function workspaceFolders(): string[] {
  return ['packages', 'services'].flatMap((layer) =>
    readdirSync(join(REPO, layer), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .filter((entry) => existsSync(join(REPO, layer, entry.name, 'package.json')))
      .map((entry) => `${layer}/${entry.name}`),
  );
}

describe('links in README.md and docs/', () => {
  it.each(documents())('%s: every relative link resolves inside the repository', (doc) => {
    const markdown = readFileSync(join(REPO, doc), 'utf8');
    const problems = [
      ...linkTargets(markdown).map((target) => problemOf(doc, target)),
      ...codePaths(markdown).map((path) => {
        const problem = problemOf(doc, path);
        return problem === null ? null : `\`${problem}\` (written as code)`;
      }),
    ].filter((problem) => problem !== null);
    expect(problems).toEqual([]);
  });

  it('finds the links it checks (a parser that finds none would pass everything)', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(linkTargets(readme)).toEqual(
      expect.arrayContaining(['docs/architecture.md', 'docs/contracts.md']),
    );
    expect(
      linkTargets('see [x](a.md "t") and `[y](b.md)` and\n```\n[z](c.md)\n```\n[r]: d.md'),
    ).toEqual(['a.md', 'd.md']);
  });

  it('reports what a broken, escaping or absolute link gets wrong', () => {
    expect(problemOf('docs/x.md', 'architecture.md')).toBeNull();
    expect(problemOf('docs/x.md', 'rules.md#how-rules-run')).toBeNull();
    expect(problemOf('docs/x.md', 'https://example.com/a')).toBeNull();
    expect(problemOf('docs/x.md', 'no-such-page.md')).toMatch(/no such file/);
    expect(problemOf('docs/x.md', 'rules.md#no-such-heading')).toMatch(/no heading/);
    expect(problemOf('docs/x.md', '../../shared/design/ARCHITECTURE.md')).toMatch(/leaves/);
    expect(problemOf('README.md', '/work/shared/design/ARCHITECTURE.md')).toMatch(/absolute/);
    expect(codePaths('the `../shared/design/ARCHITECTURE.md` file, `../../x/src/a.js`')).toEqual([
      '../shared/design/ARCHITECTURE.md',
    ]);
    expect(problemOf('docs/x.md', '../shared/design/ARCHITECTURE.md')).toMatch(/no such file/);
  });

  it('makes anchors as GitHub does', () => {
    expect(anchorOf('How rules run')).toBe('how-rules-run');
    expect(anchorOf('Webhook format and signature')).toBe('webhook-format-and-signature');
    expect(anchorOf('Event contract: API-response log event, v1')).toBe(
      'event-contract-api-response-log-event-v1',
    );
    expect(anchorOf('`denyscope` command')).toBe('denyscope-command');
  });
});

describe('docs/architecture.md', () => {
  it('names every workspace folder (packages/*, services/*)', () => {
    const architecture = readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8');
    const folders = workspaceFolders();
    expect(folders.length).toBeGreaterThan(10);
    const unnamed = folders.filter(
      (folder) => !new RegExp(`${folder.replace('/', '\\/')}(?![\\w-])`).test(architecture),
    );
    expect(unnamed).toEqual([]);
  });
});
