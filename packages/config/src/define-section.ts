import type { z } from 'zod';

// The framework every configuration section is written in. A section declares its environment
// variables (zod schemas of their text, built from variables.ts), which of them are secrets, and
// how its typed settings are built from the parsed values (cross-variable checks throw a
// ConfigError there). It may include other sections: the notifier's includes one per sink, each
// declared beside its sink. loadConfig (load-config.ts) validates the shared variables and every
// given section's in one pass. A variable belongs to one section only: declaring it in two is a
// programming error, raised when the sections are put together (defineSection, loadConfig).

/** A section's own variables: the zod schema of each one's text, by variable name. */
export type Variables = Record<string, z.ZodType>;

export interface Section<T> {
  /** Every variable the section reads (its included sections' too), by name. */
  readonly variables: Readonly<Variables>;
  /** Variables whose values never appear in a ConfigError (they are, or embed, credentials). */
  readonly secrets: ReadonlySet<string>;
  /**
   * The section's settings from the parsed values of (at least) its variables. Throws a
   * ConfigError for values that are valid alone but not together.
   */
  readonly build: (parsed: Readonly<Record<string, unknown>>) => T;
}

/** Sections by the name their settings get in the configuration object. */
export type Sections = Readonly<Record<string, Section<unknown>>>;

/** The settings a section builds. */
export type SectionConfig<S> = S extends Section<infer T> ? T : never;

/** The settings of each of `S`'s sections, under its name. */
export type SectionConfigs<S extends Sections> = { [Name in keyof S]: SectionConfig<S[Name]> };

type Parsed<V extends Variables> = z.output<z.ZodObject<V>>;

export interface SectionSpec<V extends Variables, S extends Sections, T> {
  variables: V;
  /** Of `variables`: never echoed in a ConfigError. */
  secrets?: readonly (keyof V & string)[];
  /** Sections this one includes; their settings are passed to `build`. */
  sections?: S;
  build: (parsed: Parsed<V>, sections: SectionConfigs<S>) => T;
}

/** A variable declared by two sections (or twice within one section and what it includes). */
export class DuplicateVariableError extends Error {
  override readonly name = 'DuplicateVariableError';

  constructor(
    readonly variable: string,
    owners: readonly [string, string],
  ) {
    super(`${variable} is declared by two configuration sections: ${owners[0]} and ${owners[1]}`);
  }
}

/**
 * The variables of several sections (by owner, for the error), as one set. Throws a
 * DuplicateVariableError when two owners declare the same variable.
 */
export function mergeVariables(owners: Readonly<Record<string, Readonly<Variables>>>): Variables {
  const merged: Variables = {};
  const ownerOf = new Map<string, string>();
  for (const [owner, variables] of Object.entries(owners)) {
    for (const [name, schema] of Object.entries(variables)) {
      const previous = ownerOf.get(name);
      if (previous !== undefined) throw new DuplicateVariableError(name, [previous, owner]);
      ownerOf.set(name, owner);
      merged[name] = schema;
    }
  }
  return merged;
}

/** Builds each section of `sections` from the same parsed values, by name. */
export function buildSections<S extends Sections>(
  sections: S,
  parsed: Readonly<Record<string, unknown>>,
): SectionConfigs<S> {
  const built: Record<string, unknown> = {};
  for (const [name, section] of Object.entries(sections)) built[name] = section.build(parsed);
  return built as SectionConfigs<S>;
}

export function defineSection<V extends Variables, T, S extends Sections = Record<never, never>>(
  spec: SectionSpec<V, S, T>,
): Section<T> {
  const parts = spec.sections ?? ({} as S);
  const owners: Record<string, Readonly<Variables>> = { 'the section itself': spec.variables };
  for (const [name, part] of Object.entries(parts)) {
    owners[`its section "${name}"`] = part.variables;
  }
  const variables = Object.freeze(mergeVariables(owners));
  const secrets = new Set<string>(spec.secrets ?? []);
  for (const part of Object.values(parts)) for (const name of part.secrets) secrets.add(name);
  return Object.freeze({
    variables,
    secrets,
    build: (parsed: Readonly<Record<string, unknown>>) =>
      spec.build(parsed as Parsed<V>, buildSections(parts, parsed)),
  });
}
