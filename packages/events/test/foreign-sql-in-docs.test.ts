import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FOREIGN_SQL } from '../src/owner-state.js';

// Grafana dashboards, runbooks and docs hold SQL as text, so they cannot import FOREIGN_SQL. Every
// occurrence of the "another account's resource" condition in them must be spelled exactly like
// the module's fragment: then a change to FOREIGN_SQL fails this test until they follow it, and a
// variant spelling (other spacing, `<>`, operands swapped, split over lines) fails it now.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const TEXT_FOLDERS = [
  { dir: 'infra/grafana/dashboards', ext: '.json' },
  { dir: 'docs/runbooks', ext: '.md' },
  { dir: 'docs', ext: '.md' },
];

/** Any spelling of "the owner is not the row's account", the heart of the foreign condition. */
const OWNER_IS_NOT_ACCOUNT =
  /resource_owner\s*(?:!=|<>)\s*account_id|account_id\s*(?:!=|<>)\s*resource_owner/gi;

/**
 * "The owner is the row's account": the heart of the negated condition, which must be spelled
 * `NOT (${FOREIGN_SQL})`, never by De Morgan (`owner_state != 2 OR resource_owner = account_id`).
 */
const OWNER_IS_ACCOUNT =
  /resource_owner\s*(?<![!<>])=(?!=)\s*account_id|account_id\s*(?<![!<>])=(?!=)\s*resource_owner/gi;

/** The lines of `text` that compare the owner with the account outside an exact FOREIGN_SQL. */
function strayConditions(text: string): string[] {
  const outside = text.split(FOREIGN_SQL).join(' ');
  const matches = [
    ...outside.matchAll(OWNER_IS_NOT_ACCOUNT),
    ...outside.matchAll(OWNER_IS_ACCOUNT),
  ];
  return matches.map((match) => {
    const start = outside.lastIndexOf('\n', match.index) + 1;
    const end = outside.indexOf('\n', match.index);
    return outside.slice(start, end === -1 ? undefined : end).trim();
  });
}

function textFiles(): { path: string; text: string }[] {
  return TEXT_FOLDERS.flatMap(({ dir, ext }) =>
    readdirSync(join(ROOT, dir))
      .filter((name) => name.endsWith(ext))
      .sort()
      .map((name) => {
        const path = join(ROOT, dir, name);
        return { path: relative(ROOT, path), text: readFileSync(path, 'utf8') };
      }),
  );
}

describe('the foreign condition in dashboards and runbooks', () => {
  it('finds no spelling other than FOREIGN_SQL', () => {
    const stray = textFiles().flatMap(({ path, text }) =>
      strayConditions(text).map((line) => `${path}: ${line}`),
    );
    expect(stray).toEqual([]);
  });

  it('is there to check: dashboards and runbooks both use FOREIGN_SQL', () => {
    const files = textFiles();
    for (const { dir } of TEXT_FOLDERS) {
      const using = files.filter((f) => f.path.startsWith(dir) && f.text.includes(FOREIGN_SQL));
      expect(using.length, dir).toBeGreaterThan(0);
    }
  });

  it('reports variant spellings, and the exact fragment only when it is exact', () => {
    expect(strayConditions(`WHERE ${FOREIGN_SQL} AND x = 1`)).toEqual([]);
    expect(strayConditions('WHERE owner_state = 2 AND resource_owner <> account_id')).toHaveLength(
      1,
    );
    expect(strayConditions('WHERE owner_state=2 AND resource_owner!=account_id')).toHaveLength(1);
    expect(strayConditions('WHERE owner_state = 2 AND account_id != resource_owner')).toHaveLength(
      1,
    );
    expect(
      strayConditions('WHERE owner_state = 2 AND\n  resource_owner != account_id'),
    ).toHaveLength(1);
    // The negation too: NOT (FOREIGN_SQL), not its De Morgan spelling.
    expect(strayConditions(`WHERE NOT (${FOREIGN_SQL})`)).toEqual([]);
    expect(strayConditions('WHERE (owner_state != 2 OR resource_owner = account_id)')).toHaveLength(
      1,
    );
    expect(strayConditions("multiIf(account_id = resource_owner, 'own', 'other')")).toHaveLength(1);
  });
});
