import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './lib/dockerfile.js';
import { dockerfileProblems } from './lib/load.js';
import { readRepoFile } from './lib/repo.js';
import { service, servicePort, services, subgraphs } from './lib/services.js';

describe.each(services)('$dockerfile for $name', (s) => {
  it(`builds a small image that runs ${s.name} unprivileged on port ${servicePort(s)}`, () => {
    expect(dockerfileProblems(s)).toEqual([]);
  });
});

it('one Dockerfile builds every subgraph', () => {
  expect(new Set(subgraphs.map((s) => s.dockerfile))).toEqual(new Set(['subgraphs/Dockerfile']));
  expect(subgraphs.map((s) => s.buildArgs.SUBGRAPH)).toEqual(subgraphs.map((s) => s.name));
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

  it('substitutes build arguments and ENVs where Docker does, per stage, never in CMD', () => {
    const text = [
      'ARG V=20',
      'FROM node:${V} AS base',
      'ENV HOME_DIR=/app',
      'FROM base AS one',
      'ARG NAME=events',
      'RUN echo ${NAME} $HOME_DIR $loop',
      'WORKDIR ${HOME_DIR}/${NAME}',
      'CMD ["node", "${NAME}.js"]',
      'FROM base AS two',
      'EXPOSE ${NAME}',
    ].join('\n');
    const [, one, two] = parseDockerfile(text, { NAME: 'tickets', V: '22' }).stages;
    expect(one?.from).toBe('base');
    expect(one?.instructions.map((i) => i.args)).toEqual([
      'NAME=events',
      'echo tickets /app $loop',
      '/app/tickets',
      '["node", "${NAME}.js"]',
    ]);
    // An ARG belongs to the stage that declares it.
    expect(two?.instructions[0]?.args).toBe('');
    expect(parseDockerfile(text).stages[0]?.from).toBe('node:20');
  });
});

describe('the Dockerfile rules catch', () => {
  const events = service('events');
  const text = readRepoFile('subgraphs/Dockerfile');
  const cases: [string, (t: string) => string, RegExp][] = [
    ['a single stage', (t) => `FROM node:20-slim\n${t.slice(t.indexOf('ENV NODE_ENV'))}`, /multi-stage/],
    ['a wrong EXPOSE port', (t) => t.replace('EXPOSE ${PORT}', 'EXPOSE 4010'), /EXPOSE 4010, should be 4001/],
    [
      'PORT not declared in the runtime stage',
      (t) => t.replace('ARG PORT=4001\n', ''),
      /EXPOSE \(none\), should be 4001/,
    ],
    ['USER root', (t) => t.replace('USER node', 'USER root'), /runs as root$/m],
    ['no USER', (t) => t.replace('USER node\n', ''), /runs as root: add USER node/],
    [
      'COPY --from an unknown stage',
      (t) => t.replace('--from=deps', '--from=dependencies'),
      /no earlier stage/,
    ],
    ['a CMD of another file', (t) => t.replace('dist/main.js"]', 'dist/index.js"]'), /CMD should be/],
    [
      'a CMD from the wrong folder',
      (t) => t.replace('WORKDIR /app/subgraphs/${SUBGRAPH}', 'WORKDIR /app/subgraphs'),
      /CMD should be \["node", "events\/dist\/main.js"\]/,
    ],
    [
      'SUBGRAPH not declared in the runtime stage',
      (t) => t.replace(/(FROM base AS runtime\n)ARG SUBGRAPH=events\n/, '$1'),
      /CMD should be .* it runs in \/app\/subgraphs\)/,
    ],
    ['a shell-form CMD', (t) => t.replace(/^CMD \[.*\]$/m, 'CMD node dist/main.js'), /exec form/],
    ['no HEALTHCHECK', (t) => t.replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ''), /needs a HEALTHCHECK/],
    [
      'a HEALTHCHECK on another port',
      (t) => t.replace('|| process.env.MARQUEE_DEFAULT_PORT', '|| 4010'),
      /HEALTHCHECK should ask port 4001, asks http:\/\/127.0.0.1:4010\/health/,
    ],
    [
      'a HEALTHCHECK that ignores EVENTS_PORT',
      (t) => t.replace("process.env[process.env.MARQUEE_SUBGRAPH.toUpperCase() + '_PORT'] || ", ''),
      /HEALTHCHECK should follow EVENTS_PORT/,
    ],
    [
      'a HEALTHCHECK on a variable the image does not set',
      (t) => t.replace(' MARQUEE_DEFAULT_PORT=${PORT}', ''),
      /HEALTHCHECK should ask port 4001, asks http:\/\/127.0.0.1:undefined\/health/,
    ],
    [
      'a HEALTHCHECK that throws',
      (t) => t.replace(' MARQUEE_SUBGRAPH=${SUBGRAPH}', ''),
      /HEALTHCHECK should ask port 4001, asks \(fails: TypeError/,
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
      (t) => t.replace('prune @marquee/${SUBGRAPH}', 'prune @marquee/users'),
      /prunes @marquee\/users/,
    ],
    [
      'SUBGRAPH not declared in the prune stage',
      (t) => t.replace(/(FROM base AS prune\n)ARG SUBGRAPH=events\n/, '$1'),
      /prunes @marquee\/\$\{SUBGRAPH\}, not @marquee\/events/,
    ],
    [
      'the migrations left out',
      (t) => t.replace(' subgraphs/${SUBGRAPH}/drizzle', ''),
      /lacks subgraphs\/events\/drizzle/,
    ],
    [
      'the SDL left out',
      (t) => t.replace(' subgraphs/${SUBGRAPH}/src/**/*.graphql', ''),
      /lacks .*\*\.graphql/,
    ],
    ['source maps kept', (t) => t.replace(" \\\n  && find /out -name '*.map' -delete", ''), /source maps/],
    [
      'the patches left out',
      (t) => t.replace('COPY patches ./patches\n', ''),
      /no stage copies patches\/ before its npm ci/,
    ],
    [
      'the unpatched driver at run time',
      (t) => t.replace('COPY --from=build /app/node_modules/postgres ./node_modules/postgres\n', ''),
      /take node_modules\/postgres from the build stage/,
    ],
    ['ADD', (t) => t.replace('COPY . .', 'ADD . .'), /use COPY, not ADD/],
    ['npm install', (t) => t.replace('.npm npm ci\n', '.npm npm install\n'), /npm ci, not npm install/],
    ['no NODE_ENV', (t) => t.replace('ENV NODE_ENV=production ', 'ENV '), /NODE_ENV=production/],
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
