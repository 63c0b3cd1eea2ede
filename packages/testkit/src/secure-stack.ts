import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The secured local stack (infra/stack/secure.sh; docs/local-run.md, "Secured local stack"):
// Kafka over SASL_SSL with SCRAM users, ClickHouse over HTTPS with a password user, Redis over
// TLS with an ACL user, on ports of their own beside the shared plain stack.

const SECURE = fileURLToPath(new URL('../../../infra/stack/secure.sh', import.meta.url));
const run = promisify(execFile);

/** Lines `secure.sh up` always prints; a missing one means the script and this helper disagree. */
const REQUIRED = [
  'KAFKA_BROKERS',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'CLICKHOUSE_URL',
  'CLICKHOUSE_USER',
  'CLICKHOUSE_PASSWORD',
  'CLICKHOUSE_CA_FILE',
  'REDIS_URL',
  'REDIS_CA_FILE',
  'SECURE_STACK_UNTRUSTED_CA_FILE',
  'SECURE_STACK_CLIENT_CERT_FILE',
  'SECURE_STACK_CLIENT_KEY_FILE',
] as const;

export interface SecureStackOptions {
  /**
   * Extra settings for the script (SECURE_*_PORT, DENYSCOPE_SECURE_STACK_DIR, STACK_TIMEOUT), on
   * top of this process's environment.
   */
  env?: Record<string, string>;
  /** Default 600 s: the first `up` on a machine may have to fetch the Kafka jars with Maven. */
  timeoutMs?: number;
}

/** Parses `KEY=value` lines (the value may contain `=`); other lines are ignored. */
function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

async function secureStack(action: 'up' | 'down', options: SecureStackOptions): Promise<string> {
  try {
    const { stdout } = await run('bash', [SECURE, action], {
      timeout: options.timeoutMs ?? 600_000,
      env: { ...process.env, ...options.env },
      maxBuffer: 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    // The script's stderr says which part failed and where its log is.
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-15).join('\n');
    throw new Error(`secure.sh ${action} failed${stderr ? `:\n${stderr}` : ''}`, { cause: error });
  }
}

/**
 * Starts (or reuses) the secured local stack and returns what a client needs, as environment
 * variables: KAFKA_*, CLICKHOUSE_*, REDIS_* for the services, SECURE_STACK_* for negative tests
 * (an untrusted CA, client certificates, the mTLS Kafka listener).
 */
export async function secureStackUp(
  options: SecureStackOptions = {},
): Promise<Record<string, string>> {
  const env = parseEnvLines(await secureStack('up', options));
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(`secure.sh up did not print ${missing.join(', ')}`);
  }
  return env;
}

/**
 * Whether every part of the secured stack runs and answers (`secure.sh status`). A test that finds
 * it up was not the one to start it, and should leave it running for whoever did.
 */
export async function secureStackIsUp(options: SecureStackOptions = {}): Promise<boolean> {
  try {
    await run('bash', [SECURE, 'status'], {
      timeout: options.timeoutMs ?? 60_000,
      env: { ...process.env, ...options.env },
    });
    return true;
  } catch {
    return false;
  }
}

/** Stops what `secureStackUp` started; certificates, passwords and data stay for the next up. */
export async function secureStackDown(options: SecureStackOptions = {}): Promise<void> {
  await secureStack('down', options);
}
