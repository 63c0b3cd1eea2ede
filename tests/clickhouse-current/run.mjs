// `npm run test:clickhouse-current`: the project's SQL on ClickHouse 26.x. Installs chdb into this
// folder when it is missing or its lockfile changed (it is ~550 MB, so it stays out of the
// default install), serves it over ClickHouse's HTTP interface (chdb-http.mjs) and runs the
// tests of vitest.config.ts with CLICKHOUSE_URL pointing there. docs/clickhouse-versions.md.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/**
 * Installs this folder's lockfile unless node_modules was installed from this very lockfile.
 * `npm install --no-save` rather than `npm ci`: chdb's platform libraries are optional
 * dependencies, the lockfile holds only the one of the platform it was written on (linux x64,
 * what this project's machines are), and `npm ci` refuses a lockfile that lacks the others.
 */
function ensureInstalled() {
  const lock = createHash('sha256')
    .update(readFileSync(join(here, 'package-lock.json')))
    .digest('hex');
  const stamp = join(here, 'node_modules', '.denyscope-lock-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lock) return;
  console.log('clickhouse-current: installing chdb (about 550 MB) into tests/clickhouse-current');
  const npm = spawnSync(
    'npm',
    ['install', '--prefix', here, '--no-save', '--no-audit', '--no-fund'],
    {
      stdio: 'inherit',
    },
  );
  if (npm.status !== 0) process.exit(npm.status ?? 1);
  writeFileSync(stamp, lock);
}

ensureInstalled();
// Imported only now: it needs chdb, which the step above installs.
const { startChdbHttp } = await import('./chdb-http.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'denyscope-chdb-'));
const server = await startChdbHttp({ path: dataDir });
console.log(`clickhouse-current: ClickHouse ${server.version} (chdb) at ${server.url}`);

const vitest = spawn(
  process.execPath,
  [
    join(root, 'scripts', 'run-tests.mjs'),
    '--config',
    join(here, 'vitest.config.ts'),
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      CLICKHOUSE_URL: server.url,
      DENYSCOPE_CLICKHOUSE_CURRENT_VERSION: server.version,
    },
  },
);
const code = await new Promise((resolve) =>
  vitest.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
);
await server.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
