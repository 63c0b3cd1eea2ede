import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const STACK = fileURLToPath(new URL('../../../infra/stack/stack.sh', import.meta.url));
const run = promisify(execFile);

/** Stops or starts one part of the local stack, as `npm run stack:down -- clickhouse` would. */
export async function stack(
  action: 'up' | 'down',
  part: 'kafka' | 'clickhouse' | 'redis',
): Promise<void> {
  await run('bash', [STACK, action, part], { timeout: 180_000 });
}
