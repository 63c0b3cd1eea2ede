import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// Reading docker-compose.yml as Docker Compose does, for the tests beside this file: YAML with
// merge keys (`<<: *anchor`), then `${…}` interpolation from an environment. No Docker here.

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

export const readRepoFile = (path: string): string => readFileSync(`${REPO}${path}`, 'utf8');

export interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
  interval?: string;
}

export interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  profiles?: string[];
  restart?: string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }> | string[];
}

export interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

/** The file as YAML, anchors and merge keys resolved, `${…}` left as written. */
export function loadRawCompose(text = readRepoFile('docker-compose.yml')): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/**
 * Compose's interpolation: `$$` is a literal `$`; `${VAR}`, `${VAR:-default}` (unset or empty),
 * `${VAR-default}` (unset), `${VAR:?message}` / `${VAR?message}` (required: throws), with nested
 * references in defaults. `$VAR` without braces is not used in this file and is refused.
 */
export function interpolate(text: string, env: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i += 1;
      continue;
    }
    if (text[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (text[i + 1] !== '{') throw new Error(`unbraced $ in ${JSON.stringify(text)}`);
    // Find the matching brace (defaults may hold nested ${…}).
    let depth = 0;
    let end = i + 1;
    for (; end < text.length; end += 1) {
      if (text[end] === '{') depth += 1;
      else if (text[end] === '}' && --depth === 0) break;
    }
    if (end >= text.length) throw new Error(`unclosed \${ in ${JSON.stringify(text)}`);
    out += resolve(text.slice(i + 2, end), env);
    i = end + 1;
  }
  return out;
}

function resolve(expression: string, env: Record<string, string>): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([\s\S]*))?$/.exec(expression);
  if (match === null) throw new Error(`bad reference \${${expression}}`);
  const [, name = '', colon, operator, argument = ''] = match;
  const value = env[name];
  const missing = value === undefined || (colon === ':' && value === '');
  if (operator === undefined || !missing) return value ?? '';
  if (operator === '-') return interpolate(argument, env);
  throw new Error(`required variable ${name}: ${argument}`);
}

/** Every string in the document interpolated (keys are not: Compose does not either). */
export function interpolateAll<T>(value: T, env: Record<string, string>): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => interpolateAll(item, env)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateAll(item as unknown, env)]),
    ) as T;
  }
  return value;
}

/** The file as Compose sees it with the given environment (default: none at all). */
export function loadCompose(env: Record<string, string> = {}): ComposeFile {
  return interpolateAll(loadRawCompose(), env);
}

/** The services built from this repository's Dockerfile, i.e. the denyscope services. */
export function denyscopeServices(file: ComposeFile): [string, Service][] {
  return Object.entries(file.services).filter(([, service]) => service.build !== undefined);
}
