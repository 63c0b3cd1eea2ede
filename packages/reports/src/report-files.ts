import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A directory name for an account ID: letters, digits, `.`, `_`, `-` kept, anything else
 * replaced; when anything was replaced (or the name could be `.`/`..`), a hash of the original is
 * appended so that two different IDs never share a folder.
 */
export function accountDirName(accountId: string): string {
  const safe = accountId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  if (safe === accountId && !/^\.+$/.test(safe) && safe !== '') return safe;
  const hash = createHash('sha256').update(accountId).digest('hex').slice(0, 12);
  return `${safe.replace(/^\.+/, '_')}~${hash}`;
}

/** Writes a file so that readers see the old content or the new one, never half of it. */
export async function writeFileAtomic(path: string, body: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, body, { encoding: 'utf8', mode: 0o640 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export function reportPath(
  dir: string,
  accountId: string,
  day: string,
  period: string,
  ext: string,
): string {
  return join(dir, accountDirName(accountId), `${day}-${period}.${ext}`);
}

export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}
