// Import boundaries of the monorepo (docs/boundaries.md): which module may import which.
//
//   services/*  deployables; only services/cli (the `denyscope` launcher) may import another
//               service, and only that service's public entry (what its package.json exports)
//   packages/*  libraries; never import a service; packages/testkit is for test code only
//   tests/ bench/ eval/ scripts/  root test code; reaches workspaces by package name only
//
// Every rule matches on resolved paths relative to the folder the cruise runs from (the repo
// root, or a fixture tree in tests/boundaries/). `@denyscope/*` resolves through the npm
// workspace symlinks in node_modules to the real file (preserveSymlinks: false), so an import by
// package name and a relative path to the same file are judged alike. `./x.js` specifiers
// resolve to `./x.ts` (dependency-cruiser applies TypeScript's ESM rule for .ts importers).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Test code: tests, test helpers, a workspace's test/ folder and the root test-code folders. */
const TEST_CODE =
  '(\\.test\\.ts$|\\.test-helpers\\.ts$|^(packages|services)/[^/]+/test/|^(tests|bench|eval|scripts)/)';

/** What a service's package.json `exports` points at: the only files the CLI may import. */
function serviceEntryPoints(root = process.cwd()) {
  const servicesDir = join(root, 'services');
  if (!existsSync(servicesDir)) return [];
  const entries = [];
  for (const name of readdirSync(servicesDir)) {
    const manifest = join(servicesDir, name, 'package.json');
    if (name === 'cli' || !existsSync(manifest)) continue;
    const { exports } = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const target of exportTargets(exports)) {
      entries.push(`services/${name}/${target.replace(/^\.\//, '')}`);
    }
  }
  return entries;
}

/** Every file path in an `exports` value (a string, a subpath map, conditions, arrays). */
function exportTargets(value) {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(exportTargets);
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const entryPoints = serviceEntryPoints();
const CLI_MAY_IMPORT =
  entryPoints.length > 0 ? `^(${entryPoints.map(escapeRegExp).join('|')})$` : '^$';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-testkit-in-production',
      severity: 'error',
      comment:
        'Production code imports @denyscope/testkit (or a file in packages/testkit). The testkit ' +
        'is for tests only: move what production needs into a library package.',
      from: { path: '^(packages|services)/', pathNot: [TEST_CODE, '^packages/testkit/'] },
      to: { path: '^packages/testkit/' },
    },
    {
      name: 'no-service-to-service',
      severity: 'error',
      comment:
        'A service (or its tests) imports another service. Services are deployables: share code ' +
        'through a library in packages/, or test the pair from tests/ at the root.',
      from: { path: '^services/([^/]+)/', pathNot: '^services/cli/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'cli-only-service-entry-points',
      severity: 'error',
      comment:
        'The CLI launches services through their entry points (@denyscope/api, ...), nothing ' +
        'deeper. Import the package name, or export what the CLI needs from the entry point.',
      from: { path: '^services/cli/' },
      to: { path: '^services/', pathNot: ['^services/cli/', CLI_MAY_IMPORT] },
    },
    {
      name: 'no-package-to-service',
      severity: 'error',
      comment:
        'A library in packages/ (or its tests) imports a service. Libraries sit below services: ' +
        'move the code the library needs into packages/, or move the test to the service or tests/.',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'no-relative-import-out-of-workspace',
      severity: 'error',
      comment:
        'A relative import leaves its workspace (../../other/src/x.js). Import the other ' +
        'workspace by its package name so the dependency is declared and its entry point used.',
      from: { path: '^(packages|services)/([^/]+)/' },
      to: {
        dependencyTypes: ['local'],
        dependencyTypesNot: ['aliased-workspace'],
        pathNot: '^$1/$2/',
      },
    },
    {
      name: 'no-relative-import-into-workspace',
      severity: 'error',
      comment:
        'Root test code (tests/, bench/, eval/, scripts/) reaches into a workspace by a relative ' +
        'path. Import the workspace by its package name (@denyscope/...) instead.',
      from: { path: '^(tests|bench|eval|scripts)/' },
      to: {
        dependencyTypes: ['local'],
        dependencyTypesNot: ['aliased-workspace'],
        path: '^(packages|services)/',
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules import each other in a cycle. Move what both need into a third module, or ' +
        'invert one of the imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'An import that resolves to no file. Besides being a bug, it would hide the import from ' +
        'every rule above (they match on resolved paths).',
      // tests/clickhouse-current is its own npm project (its run.mjs installs chdb on demand).
      from: { pathNot: '^tests/clickhouse-current/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^tests/boundaries/fixtures/' },
    // Type-only imports are dependencies too: a `import type` from the testkit still couples
    // production code to it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
