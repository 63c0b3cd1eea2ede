import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineApi } from '../test/offline-api.js';

// Redocly's own linter, in process (@redocly/openapi-core rather than spawning @redocly/cli), with
// services/api/redocly.yaml: the recommended ruleset and the changes it justifies.
const CONFIG_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
/** The name .redocly.lint-ignore.yaml knows the document by; nothing is read from it. */
const DOCUMENT_REF = join(CONFIG_DIR, 'openapi.json');

// No service is contacted (test/offline-api.ts).
const { app, close } = offlineApi();

afterAll(close);

let served = '';

beforeAll(async () => {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  served = response.body;
});

async function lint(source: string): Promise<NormalizedProblem[]> {
  const config = await loadConfig({ configPath: join(CONFIG_DIR, 'redocly.yaml') });
  return lintFromString({ source, absoluteRef: DOCUMENT_REF, config });
}

const describeProblem = (problem: NormalizedProblem) =>
  `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer ?? '?'}: ${problem.message}`;

describe("the OpenAPI document under Redocly's recommended ruleset", () => {
  it('has no problem, warnings included', async () => {
    const problems = await lint(served);
    expect(problems.filter((p) => !p.ignored).map(describeProblem)).toEqual([]);
    // Only what .redocly.lint-ignore.yaml names, and all of it: a probe that gains a 4xx, or an
    // entry that no longer matches, shows here.
    expect(problems.filter((p) => p.ignored).map(describeProblem)).toEqual([
      expect.stringMatching(/^warn operation-4xx-response at #\/paths\/~1healthz\/get\/responses:/),
      expect.stringMatching(/^warn operation-4xx-response at #\/paths\/~1readyz\/get\/responses:/),
    ]);
  });

  it('is linted with the config in force: a 4xx that is not problem details is reported', async () => {
    const doc = JSON.parse(served) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const ack = doc.paths['/v1/alerts/{id}/ack']?.post;
    expect(ack?.responses['404']).toBeDefined();
    (ack as { responses: Record<string, unknown> }).responses['404'] = {
      description: 'no such incident',
      content: { 'application/json': { schema: { type: 'object' } } },
    };
    const problems = await lint(JSON.stringify(doc));
    expect(problems.map((p) => p.ruleId)).toContain('operation-4xx-problem-details-rfc7807');
  });
});
