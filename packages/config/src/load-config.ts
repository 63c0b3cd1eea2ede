import { z } from 'zod';
import {
  buildSections,
  mergeVariables,
  type SectionConfigs,
  type Sections,
  type Variables,
} from './define-section.js';
import { ConfigError } from './errors.js';
import { redactUrlPassword } from './redact-url.js';
import { SHARED_NAMES, sharedSection, type SharedConfig } from './shared-section.js';

type Env = Record<string, string | undefined>;

/** The configuration of the shared section plus each of `S`'s sections under its name. */
export type ConfigOf<S extends Sections> = SharedConfig & SectionConfigs<S>;

/**
 * Every variable loadConfig(env, sections) reads: the shared ones and each section's. Throws a
 * DuplicateVariableError when two of them declare the same variable, and an Error when a section
 * takes the name of a shared setting.
 */
export function variablesOf(sections: Sections = {}): Variables {
  for (const name of Object.keys(sections)) {
    if (SHARED_NAMES.has(name)) {
      throw new Error(`a configuration section cannot be named "${name}": a shared setting is`);
    }
  }
  const owners: Record<string, Readonly<Variables>> = {
    'the shared section': sharedSection.variables,
  };
  for (const [name, section] of Object.entries(sections)) {
    owners[`the section "${name}"`] = section.variables;
  }
  return mergeVariables(owners);
}

/**
 * Parses the process environment once, at start-up: the shared variables and those of each
 * given section, in one pass. Empty strings count as unset so that `FOO= cmd` and an empty line
 * in an env file fall back to the default instead of failing. Throws ConfigError naming every bad
 * variable and what was expected, then (values valid alone but not together) the first section
 * whose values do not fit.
 */
export function loadConfig<S extends Sections = Record<never, never>>(
  env: Env = process.env,
  sections: S = {} as S,
): ConfigOf<S> {
  const variables = variablesOf(sections);
  const secrets = new Set(sharedSection.secrets);
  for (const section of Object.values(sections))
    for (const name of section.secrets) secrets.add(name);

  const present: Env = {};
  for (const name of Object.keys(variables)) {
    const value = env[name];
    if (value !== undefined && value !== '') present[name] = value;
  }
  const result = z.object(variables).safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        // Secret-bearing values are named but never echoed: this message goes to the logs. Of the
        // others, a URL's password (REDIS_URL, CLICKHOUSE_URL) is masked.
        const raw = secrets.has(name) ? undefined : env[name];
        const got = raw === undefined ? undefined : redactUrlPassword(raw);
        return `${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
      }),
    );
  }
  const parsed = result.data as Record<string, unknown>;
  return { ...sharedSection.build(parsed), ...buildSections(sections, parsed) };
}

/** Every problem of a configuration, without starting anything: [] when it is valid. */
export function configProblems(env: Env, sections: Sections = {}): readonly string[] {
  try {
    loadConfig(env, sections);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
