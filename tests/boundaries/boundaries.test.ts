// The boundary checks of `npm run lint:boundaries` (docs/boundaries.md) run against small fixture
// repos: fixtures/violations plants one violation per rule, fixtures/clean holds every kind of
// import the rules allow. The real .dependency-cruiser.mjs and scripts/check-workspaces.mjs run as
// the npm script runs them, so a rule that stops matching (a changed path pattern, a resolution
// option that no longer follows the workspace symlinks or maps .js to .ts) fails here.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(REPO, 'tests', 'boundaries', 'fixtures');
const DEPCRUISE = join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const CHECK_WORKSPACES = join(REPO, 'scripts', 'check-workspaces.mjs');

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of a fixture repo laid out as `npm install` leaves one: node_modules/<name> links to
 * each workspace, and the repo's tsconfig.base.json (which the cruiser config names) at the root.
 */
function installedCopy(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `boundaries-${fixture}-`));
  copies.push(dir);
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  cpSync(join(REPO, 'tsconfig.base.json'), join(dir, 'tsconfig.base.json'));
  for (const layer of ['packages', 'services']) {
    for (const name of readdirSync(join(dir, layer))) {
      const workspace = join(dir, layer, name);
      const manifest = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as {
        name: string;
      };
      const link = join(dir, 'node_modules', manifest.name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(workspace, link, 'dir');
    }
  }
  return dir;
}

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs dependency-cruiser with the repo's config over a fixture's folders, as lint:imports does. */
function depcruise(dir: string, outputType: 'json' | 'err') {
  const config = join(REPO, '.dependency-cruiser.mjs');
  const args = ['--config', config, '--output-type', outputType, 'packages', 'services', 'tests'];
  return spawnSync(process.execPath, [DEPCRUISE, ...args], { cwd: dir, encoding: 'utf8' });
}

/** The violations found in a fixture, checked to fail the run (exit status) as lint:imports would. */
function cruise(fixture: string): Violation[] {
  const dir = installedCopy(fixture);
  const json = depcruise(dir, 'json');
  expect(json.stderr).toBe('');
  const violations = (JSON.parse(json.stdout) as { summary: { violations: Violation[] } }).summary
    .violations;
  // The text reporter lint:imports uses exits with the number of errors: 0 only when clean.
  const text = depcruise(dir, 'err');
  expect(text.status).toBe(violations.length);
  for (const { rule } of violations) expect(text.stdout).toContain(`error ${rule.name}: `);
  return violations;
}

const summary = (violations: Violation[]) =>
  violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();

describe('.dependency-cruiser.mjs', () => {
  it('reports each planted violation under its rule, and nothing else', () => {
    expect(summary(cruise('violations'))).toEqual([
      'cli-only-service-entry-points: services/cli/src/deep.ts → services/x/src/internal.ts',
      'no-circular: packages/a/src/cycle-one.ts → packages/a/src/cycle-two.ts',
      'no-package-to-service: packages/a/src/uses-service.ts → services/x/src/index.ts',
      'no-relative-import-into-workspace: tests/reach-in.ts → packages/a/src/index.ts',
      // The CLI's deep import is a path, so it also leaves its workspace.
      'no-relative-import-out-of-workspace: services/cli/src/deep.ts → services/x/src/internal.ts',
      'no-relative-import-out-of-workspace: services/x/test/reaches-out.ts → packages/a/src/index.ts',
      'no-service-to-service: services/y/src/index.ts → services/x/src/index.ts',
      'no-service-to-service: services/y/test/y.test.ts → services/x/src/index.ts',
      'no-testkit-in-production: packages/a/src/uses-testkit.ts → packages/testkit/src/index.ts',
      'no-unresolvable: packages/a/src/broken.ts → ./does-not-exist.js',
    ]);
  });

  it('passes the imports the layers allow (test code on the testkit, the CLI on entry points)', () => {
    expect(summary(cruise('clean'))).toEqual([]);
  });
});

/** Runs scripts/check-workspaces.mjs on a fixture repo (it reads package.json files only). */
function checkWorkspaces(fixture: string) {
  const run = spawnSync(process.execPath, [CHECK_WORKSPACES, '--root', join(FIXTURES, fixture)], {
    encoding: 'utf8',
  });
  return { status: run.status, lines: run.stdout.trim().split('\n') };
}

describe('scripts/check-workspaces.mjs', () => {
  it('fails on a devDependency cycle, a test kit on a service and a missing exports file', () => {
    const { status, lines } = checkWorkspaces('violations');
    expect(status).toBe(1);
    expect(lines).toEqual([
      'error workspace-cycle: @denyscope/a, @denyscope/b',
      '    @denyscope/a → @denyscope/b (dev) → @denyscope/a',
      'error test-kit-on-service: packages/testkit/package.json → @denyscope/x (services/x)',
      'error missing-entry-target: packages/a/package.json exports → ./src/extra.ts (not found)',
      'workspaces: 3 problem(s) in 6 workspaces',
    ]);
  });

  it('passes workspaces whose graph has no cycle and whose exports and bin files exist', () => {
    const { status, lines } = checkWorkspaces('clean');
    expect(lines).toEqual(['workspaces: 6 checked, no cycle, every exports/bin target exists']);
    expect(status).toBe(0);
  });
});
