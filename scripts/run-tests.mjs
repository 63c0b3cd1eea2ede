// Runs the vitest projects (all of them: unit, int and chaos, unless `--project` names some) and
// ends with one plain summary line ("N passed, N failed"), which CI and people can read without
// parsing vitest's coloured report. Exit code: vitest's.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'denyscope-vitest-'));
const report = join(dir, 'results.json');
const vitest = spawn(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
vitest.on('exit', (code, signal) => {
  try {
    const results = JSON.parse(readFileSync(report, 'utf8'));
    const skipped = results.numPendingTests + results.numTodoTests;
    console.log(
      `\nTests: ${results.numPassedTests} passed, ${results.numFailedTests} failed` +
        (skipped > 0 ? `, ${skipped} skipped` : '') +
        ` (Node.js ${process.version})`,
    );
  } catch {
    console.log('\nTests: no result file (vitest did not finish)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(code ?? (signal ? 1 : 0));
});
