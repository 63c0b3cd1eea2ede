import { configProblems, type Sections } from '@denyscope/config';

/**
 * The problems `env` has for the shared section and `sections`, for a test that expects it to be
 * rejected: throws when the configuration is accepted, so such a test cannot pass on a valid one.
 */
export function configRejections(
  env: Record<string, string>,
  sections: Sections = {},
): readonly string[] {
  const problems = configProblems(env, sections);
  if (problems.length === 0) throw new Error('expected the configuration to be rejected');
  return problems;
}
