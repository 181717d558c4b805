import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './lib/dockerfile.js';
import { dockerfileProblems } from './lib/load.js';
import { readRepoFile } from './lib/repo.js';
import { service, servicePort, services } from './lib/services.js';

describe.each(services)('$dir/Dockerfile', (s) => {
  it(`builds a small image that runs ${s.name} unprivileged on port ${servicePort(s)}`, () => {
    expect(dockerfileProblems(s)).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it('keeps local installs, builds, data and secrets out of the build context', () => {
    const patterns = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const needed of ['**/node_modules', '**/dist', '.data', '.git', '.env', '.env.*']) {
      expect(patterns, needed).toContain(needed);
    }
  });
});

describe('the Dockerfile reader', () => {
  it('joins continued lines, skips comments and reads flags, exec form and ARG defaults', () => {
    const file = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'ARG V=20',
        'FROM node:${V}-slim AS base',
        'RUN --mount=type=cache,target=/root/.npm npm ci \\',
        '  # a comment inside the instruction',
        '  && echo done',
        'FROM base',
        'CMD ["node", "main.js"]',
      ].join('\n'),
    );
    expect(file.stages.map((stage) => [stage.name, stage.from])).toEqual([
      ['base', 'node:20-slim'],
      [undefined, 'base'],
    ]);
    const run = file.stages[0]?.instructions[0];
    expect(run?.flags).toEqual({ mount: 'type=cache,target=/root/.npm' });
    expect(run?.args).toBe('npm ci && echo done');
    expect(file.stages[1]?.instructions[0]?.exec).toEqual(['node', 'main.js']);
  });
});

describe('the Dockerfile rules catch', () => {
  const events = service('events');
  const text = readRepoFile('subgraphs/events/Dockerfile');
  const cases: [string, (t: string) => string, RegExp][] = [
    ['a single stage', (t) => `FROM node:20-slim\n${t.slice(t.indexOf('ENV NODE_ENV'))}`, /multi-stage/],
    ['a wrong EXPOSE port', (t) => t.replace('EXPOSE 4001', 'EXPOSE 4010'), /EXPOSE 4010, should be 4001/],
    ['USER root', (t) => t.replace('USER node', 'USER root'), /runs as root$/m],
    ['no USER', (t) => t.replace('USER node\n', ''), /runs as root: add USER node/],
    [
      'COPY --from an unknown stage',
      (t) => t.replace('--from=deps', '--from=dependencies'),
      /no earlier stage/,
    ],
    [
      'a CMD of another file',
      (t) => t.replace('events/dist/main.js"]', 'events/dist/index.js"]'),
      /CMD should be/,
    ],
    [
      'a shell-form CMD',
      (t) => t.replace(/^CMD \[.*\]$/m, 'CMD node subgraphs/events/dist/main.js'),
      /exec form/,
    ],
    ['no HEALTHCHECK', (t) => t.replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ''), /needs a HEALTHCHECK/],
    [
      'a HEALTHCHECK on another port',
      (t) => t.replace('|| 4001', '|| 4010'),
      /HEALTHCHECK should ask port 4001/,
    ],
    [
      'dev dependencies at run time',
      (t) => t.replace('npm ci --omit=dev', 'npm ci'),
      /production dependencies only/,
    ],
    [
      'a runtime on the build stage',
      (t) => t.replace('FROM base AS runtime', 'FROM build AS runtime'),
      /installs dev/,
    ],
    ['an unpinned base image', (t) => t.replace('node:${NODE_VERSION}-bookworm-slim', 'node'), /pin a tag/],
    [
      'a turbo not the lockfile’s',
      (t) => t.replace(/turbo@[\d.]+/, 'turbo@2.0.0'),
      /differs from the lockfile/,
    ],
    [
      'pruning another service',
      (t) => t.replace('prune @marquee/events', 'prune @marquee/users'),
      /prunes @marquee\/users/,
    ],
    [
      'the migrations left out',
      (t) => t.replace(' subgraphs/events/drizzle', ''),
      /lacks subgraphs\/events\/drizzle/,
    ],
    ['the SDL left out', (t) => t.replace(' subgraphs/events/src/**/*.graphql', ''), /lacks .*\*\.graphql/],
    ['source maps kept', (t) => t.replace(" \\\n  && find /out -name '*.map' -delete", ''), /source maps/],
    ['ADD', (t) => t.replace('COPY . .', 'ADD . .'), /use COPY, not ADD/],
    ['npm install', (t) => t.replace('.npm npm ci\n', '.npm npm install\n'), /npm ci, not npm install/],
    ['no NODE_ENV', (t) => t.replace('ENV NODE_ENV=production\n', ''), /NODE_ENV=production/],
    [
      'a baked-in secret',
      (t) => t.replace('ENV NODE_ENV=production', 'ENV NODE_ENV=production INTERNAL_SECRET=x'),
      /no secrets/,
    ],
  ];
  it.each(cases)('%s', (_name, mutate, expected) => {
    const mutated = mutate(text);
    expect(mutated).not.toBe(text);
    expect(dockerfileProblems(events, mutated).join('\n')).toMatch(expected);
  });

  it("the gateway's registered operations left out", () => {
    const gateway = service('gateway');
    const mutated = readRepoFile('gateway/Dockerfile').replace(/^COPY operations\/.*\n/m, '');
    expect(dockerfileProblems(gateway, mutated).join('\n')).toMatch(
      /lacks operations\/persisted-query-manifest/,
    );
  });
});
