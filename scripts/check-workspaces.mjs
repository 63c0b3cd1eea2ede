// Checks the npm workspaces' package.json files as a graph (docs/boundaries.md):
//
//   workspace-cycle        workspaces that depend on each other in a cycle, through
//                          dependencies or devDependencies (a devDependency cycle still makes
//                          the packages impossible to build, test or release one at a time).
//                          The test kit is the one exception: it is the layer above every
//                          library, and any workspace's tests may use it, so a devDependency on
//                          it is not an edge here (its own dependencies are)
//   test-kit-on-service    the test kit depends on a deployable (services/*): it may build on
//                          libraries only, or every library's tests would depend on services
//   missing-entry-target   an `exports` (or `bin`) entry that points at a file that is not there
//
//   node scripts/check-workspaces.mjs [--root <dir>]     (default: the current directory)
//
// Prints one line per problem and exits 1 if there is any, 0 otherwise. Reads only package.json
// files: the workspace globs of the root one (`packages/*`-style, one level) and each workspace's.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { root: { type: 'string', default: '.' } } });
const root = resolve(values.root);

/** The test-helper workspace (docs/boundaries.md): only tests may depend on it. */
const TEST_KIT = '@denyscope/testkit';

const workspaces = readWorkspaces(root);
const problems = [
  ...findCycles(workspaces),
  ...findTestKitOnServices(workspaces),
  ...findMissingEntryTargets(workspaces),
];
for (const problem of problems) console.log(problem);
console.log(
  problems.length === 0
    ? `workspaces: ${workspaces.length} checked, no cycle, every exports/bin target exists`
    : `workspaces: ${problems.length} problem(s) in ${workspaces.length} workspaces`,
);
process.exit(problems.length === 0 ? 0 : 1);

/** @typedef {{ dir: string, name: string, manifest: Record<string, any> }} Workspace */

/** @returns {Workspace[]} every folder matched by the root's `workspaces` globs that has a package.json */
function readWorkspaces(rootDir) {
  const rootManifest = readJson(join(rootDir, 'package.json'));
  const globs = Array.isArray(rootManifest.workspaces)
    ? rootManifest.workspaces
    : (rootManifest.workspaces?.packages ?? []);
  const found = [];
  for (const glob of globs) {
    // The repo's globs are all `<folder>/*`; anything else is refused rather than half-read.
    const match = /^([^*]+)\/\*$/.exec(glob);
    if (!match) throw new Error(`check-workspaces: unsupported workspace glob ${glob}`);
    const parent = join(rootDir, match[1]);
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent).sort()) {
      const manifestPath = join(parent, entry, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = readJson(manifestPath);
      found.push({ dir: relative(rootDir, join(parent, entry)), name: manifest.name, manifest });
    }
  }
  return found;
}

/**
 * One entry per group of workspaces in a cycle (a strongly connected component), listing the
 * shortest cycle through each edge of the group: every edge that keeps the group together is
 * shown in a cycle short enough to read, so the fix (which edge to cut) is visible.
 */
function findCycles(all) {
  const byName = new Map(all.map((ws) => [ws.name, ws]));
  /** @type {Map<string, { to: string, dev: boolean }[]>} */
  const edges = new Map();
  for (const ws of all) {
    const out = [];
    for (const field of ['dependencies', 'devDependencies']) {
      for (const dep of Object.keys(ws.manifest[field] ?? {})) {
        const dev = field === 'devDependencies';
        if (byName.has(dep) && !(dev && dep === TEST_KIT)) out.push({ to: dep, dev });
      }
    }
    edges.set(ws.name, out);
  }
  const next = (name) => edges.get(name).map((e) => e.to);
  return stronglyConnected([...byName.keys()], next)
    .filter((group) => group.length > 1 || next(group[0]).includes(group[0]))
    .map((group) => {
      const members = new Set(group);
      const cycles = new Map();
      for (const from of group) {
        for (const { to } of edges.get(from).filter((e) => members.has(e.to))) {
          const back = shortestPath(to, from, (n) => next(n).filter((m) => members.has(m)));
          const cycle = rotated([from, ...back]);
          cycles.set(canonical(cycle), cycle);
        }
      }
      const lines = [...cycles.values()]
        .sort((a, b) => a.length - b.length || canonical(a).localeCompare(canonical(b)))
        .map((cycle) => describeCycle(cycle, edges));
      const hint =
        cycles.size > 3 ? `\n    most shared: ${mostSharedEdges([...cycles.values()])}` : '';
      return `error workspace-cycle: ${group.join(', ')}\n    ${lines.join('\n    ')}${hint}`;
    });
}

/** Shortest path from → … → to (both included; [from] when they are the same), by BFS. */
function shortestPath(from, to, next) {
  const previous = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === to) break;
    for (const n of next(node)) {
      if (!previous.has(n)) {
        previous.set(n, node);
        queue.push(n);
      }
    }
  }
  const path = [];
  for (let node = to; node !== null; node = previous.get(node)) path.unshift(node);
  return path;
}

/** The same cycle read from any member, rotated to start (and end) at its smallest name. */
function rotated(cycle) {
  const ring = cycle.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0]);
  const turned = [...ring.slice(start), ...ring.slice(0, start)];
  return [...turned, turned[0]];
}

function canonical(cycle) {
  return rotated(cycle).join(' ');
}

/** The edges that the most of these cycles go through: cutting one of them breaks that many. */
function mostSharedEdges(cycles) {
  const counts = new Map();
  for (const cycle of cycles) {
    for (let i = 1; i < cycle.length; i += 1) {
      const edge = `${cycle[i - 1]} → ${cycle[i]}`;
      counts.set(edge, (counts.get(edge) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([edge, count]) => `${edge} (in ${count} of ${cycles.length})`)
    .join('; ');
}

/** "a → b (dev) → a": each hop marked (dev) when it is a devDependency. */
function describeCycle(cycle, edges) {
  let text = cycle[0];
  for (let i = 1; i < cycle.length; i += 1) {
    const dev = edges.get(cycle[i - 1]).find((e) => e.to === cycle[i])?.dev;
    text += ` → ${cycle[i]}${dev ? ' (dev)' : ''}`;
  }
  return text;
}

/** Tarjan's algorithm; groups in a stable order (by their first member's name). */
function stronglyConnected(nodes, next) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next(node)) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node), index.get(to)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      groups.push(group.sort());
    }
  };
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return groups.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One line per dependency of the test kit on a workspace under services/. */
function findTestKitOnServices(all) {
  const kit = all.find((ws) => ws.name === TEST_KIT);
  if (kit === undefined) return [];
  const byName = new Map(all.map((ws) => [ws.name, ws]));
  return ['dependencies', 'devDependencies']
    .flatMap((field) => Object.keys(kit.manifest[field] ?? {}))
    .map((dep) => byName.get(dep))
    .filter((ws) => ws !== undefined && ws.dir.split(/[\\/]/)[0] === 'services')
    .map((ws) => `error test-kit-on-service: ${kit.dir}/package.json → ${ws.name} (${ws.dir})`);
}

/** One line per `exports` or `bin` target that does not exist in its workspace. */
function findMissingEntryTargets(all) {
  const problems = [];
  for (const ws of all) {
    const targets = [
      ...fileTargets(ws.manifest.exports).map((path) => ['exports', path]),
      ...fileTargets(ws.manifest.bin).map((path) => ['bin', path]),
    ];
    for (const [field, target] of targets) {
      if (!targetExists(join(root, ws.dir), target)) {
        problems.push(
          `error missing-entry-target: ${ws.dir}/package.json ${field} → ${target} (not found)`,
        );
      }
    }
  }
  return problems;
}

/** Every path in an exports/bin value: a string, a subpath or condition map, an array. */
function fileTargets(value) {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(fileTargets);
  if (value && typeof value === 'object') return Object.values(value).flatMap(fileTargets);
  return []; // null blocks a subpath on purpose
}

/** A `./dir/*.ts` pattern counts as present when its folder exists. */
function targetExists(workspaceDir, target) {
  const starAt = target.indexOf('*');
  if (starAt === -1) return existsSync(join(workspaceDir, target));
  const folder = join(workspaceDir, target.slice(0, target.lastIndexOf('/', starAt) + 1));
  return existsSync(folder) && statSync(folder).isDirectory();
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
