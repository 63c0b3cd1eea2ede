import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO, denyscopeServices, loadCompose, readRepoFile } from './compose-file.js';

// The Dockerfile read as text: no Docker engine on these machines, so the image is not built here
// (docs/deploy.md). These checks hold what the image promises: Node 24, several stages, only
// production dependencies at run time, tini as PID 1, a non-root user, a health check, and the
// denyscope command as entry point.

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with continuation lines joined and comments dropped, split into stages. */
function stages(text: string): { name: string; from: string; body: Instruction[] }[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: { name: string; from: string; body: Instruction[] }[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const [from = '', , name = ''] = rest;
      result.push({ name, from, body: [] });
    } else {
      result.at(-1)?.body.push(instruction);
    }
  }
  return result;
}

const dockerfile = readRepoFile('Dockerfile');
const all = stages(dockerfile);
const runtime = all.at(-1)!;
const find = (keyword: string) => runtime.body.filter((i) => i.keyword === keyword);
const nodeImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1] ?? '';

describe('Dockerfile', () => {
  it('builds on Node.js 24 slim, pinned to major.minor, in every stage', () => {
    expect(nodeImage).toMatch(/^node:24\.\d+-(bookworm-|trixie-)?slim$/);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect(stage.from, stage.name).toBe('${NODE_IMAGE}');
  });

  it('type-checks and prunes dev dependencies in a build stage the runtime copies from', () => {
    const build = all.find((stage) => stage.name === 'build');
    const runs = build?.body.filter((i) => i.keyword === 'RUN').map((i) => i.args) ?? [];
    expect(runs.join('\n')).toMatch(/npm ci\b/);
    expect(runs.join('\n')).toMatch(/tsc -p services\/cli\/tsconfig\.json/);
    expect(runs.join('\n')).toMatch(/npm prune --omit=dev/);
    expect(find('COPY').map((i) => i.args)).toContain('--from=build /app ./');
    // Nothing installs packages in the runtime stage (no dev dependencies sneak back in).
    for (const run of find('RUN')) expect(run.args).not.toMatch(/\bnpm (ci|install)\b/);
  });

  it('runs as an unprivileged user under tini', () => {
    const user = find('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(
      find('RUN')
        .map((i) => i.args)
        .join('\n'),
    ).toMatch(/apt-get install .*\btini\b/);
    const entrypoint = JSON.parse(find('ENTRYPOINT').at(-1)?.args ?? '[]') as string[];
    expect(entrypoint.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
  });

  it('hands its arguments to the denyscope command', () => {
    const entrypoint = JSON.parse(find('ENTRYPOINT').at(-1)?.args ?? '[]') as string[];
    expect(entrypoint.slice(2)).toEqual(['node', '/app/services/cli/bin/denyscope.js']);
    expect(existsSync(`${REPO}services/cli/bin/denyscope.js`)).toBe(true);
    // The compose services pass just the command (`ingest`, `detect`, …).
    for (const [name, service] of denyscopeServices(loadCompose())) {
      expect(service.command, name).toHaveLength(1);
    }
  });

  it('has a health check that picks the service from the command line', () => {
    const healthcheck = find('HEALTHCHECK').at(-1)?.args ?? '';
    expect(healthcheck).toMatch(/--interval=\d+s/);
    expect(healthcheck).toMatch(/CMD \["node", "\/app\/infra\/docker\/healthcheck\.mjs"\]$/);
    expect(existsSync(`${REPO}infra/docker/healthcheck.mjs`)).toBe(true);
  });

  it('installs with everything npm ci runs: the patches of the root postinstall too', () => {
    const rootPackage = JSON.parse(readRepoFile('package.json')) as {
      scripts?: Record<string, string>;
    };
    if (!/patch-package/.test(rootPackage.scripts?.postinstall ?? '')) return;
    expect(readRepoFile('.dockerignore').split('\n')).toContain('!patches');
    const manifests = all.find((stage) => stage.name === 'manifests');
    const find = manifests?.body.find((i) => i.keyword === 'RUN' && i.args.includes('-delete'));
    expect(find?.args).toContain("! -path './patches/*'");
  });

  it('sends only what the image runs to the build (allowlist .dockerignore)', () => {
    const lines = readRepoFile('.dockerignore')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(lines[0]).toBe('*');
    for (const needed of [
      '!package.json',
      '!package-lock.json',
      '!packages/*/src',
      '!services/*/bin',
      '!services/*/src',
      '!infra/docker/healthcheck.mjs',
    ]) {
      expect(lines).toContain(needed);
    }
    // Tests come after the allowlist, so they stay out of it.
    expect(lines.indexOf('**/*.test.ts')).toBeGreaterThan(lines.indexOf('!packages/*/src'));
  });
});
