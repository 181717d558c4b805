import { describe, expect, it } from 'vitest';
import { durationSeconds, interpolate } from './lib/compose-checks.js';
import { SECRET_VARS } from './lib/env-rules.js';
import { COMPOSE_SHELL_ENV, composeProblems, loadCompose } from './lib/load.js';
import { asObject, at, readRepoFile, type JsonObject } from './lib/repo.js';
import { validateCompose } from './lib/schemas.js';

describe('docker-compose.yml', () => {
  it('is valid for the Compose specification', () => {
    expect(validateCompose(loadCompose())).toEqual([]);
  });

  it('runs PostgreSQL, Redis, every subgraph of supergraph.yaml and the gateway, each wired as its env.ts and supergraph.yaml say', () => {
    expect(composeProblems()).toEqual([]);
  });

  // Without one, users would sign with a throwaway key, and the subgraphs and the database would
  // trust a credential printed in this repository.
  it.each(['JWT_PRIVATE_KEY', 'INTERNAL_SECRET', 'POSTGRES_PASSWORD'])(
    'refuses to start without %s (an interpolation error, before any container)',
    (name) => {
      const { [name]: _left, ...rest } = COMPOSE_SHELL_ENV;
      expect(() => loadCompose(readRepoFile('docker-compose.yml'), rest)).toThrow(
        new RegExp(`\\$\\{${name}\\} is required: set ${name}`),
      );
      expect(() => loadCompose(readRepoFile('docker-compose.yml'), { ...rest, [name]: '' })).toThrow(
        /is required/,
      );
    },
  );

  it('takes every secret from the shell, with no default and no value of its own', () => {
    const text = readRepoFile('docker-compose.yml');
    const secrets = [...SECRET_VARS, 'POSTGRES_PASSWORD'];
    const references = [...text.matchAll(/\$\{(\w+)([^}]*)\}/g)].filter(([, name]) =>
      secrets.includes(name!),
    );
    expect(references.map(([, name]) => name)).toEqual(
      expect.arrayContaining(['JWT_PRIVATE_KEY', 'INTERNAL_SECRET', 'POSTGRES_PASSWORD']),
    );
    const withFallback = references.filter(([, , operator]) => !operator!.startsWith(':?'));
    expect(withFallback.map(([whole]) => whole)).toEqual([]);
    // The old defaults, which anyone could read here, are gone from the file.
    expect(text).not.toMatch(/change-me|POSTGRES_PASSWORD: marquee|marquee:marquee@/i);
  });
});

describe('interpolation, as Compose does it', () => {
  const env = { SET: 'value', EMPTY: '' };
  it.each([
    ['${SET}', 'value'],
    ['$SET/x', 'value/x'],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${SET:-fallback}', 'value'],
    ['$$SET', '$SET'],
  ])('%s -> %s', (input, output) => {
    expect(interpolate(input, env)).toBe(output);
  });
  it('reads durations', () => {
    expect([
      durationSeconds('30s'),
      durationSeconds('1m30s'),
      durationSeconds('500ms'),
      durationSeconds('soon'),
    ]).toEqual([30, 90, 0.5, Number.NaN]);
  });
  it('fails on a required variable that is not set', () => {
    expect(() => interpolate('${UNSET:?set UNSET}', env)).toThrow(/UNSET.*set UNSET/);
    expect(() => interpolate('${EMPTY:?}', env)).toThrow(/EMPTY/);
  });
});

describe('the Compose rules catch', () => {
  const original = loadCompose() as JsonObject;
  const svc = (doc: JsonObject, name: string) => asObject(at(doc, 'services', name));
  const env = (doc: JsonObject, name: string) => asObject(svc(doc, name).environment);
  const cases: [string, (doc: JsonObject) => void, RegExp][] = [
    [
      'no time to shut down',
      (d) => void delete svc(d, 'gateway').stop_grace_period,
      /gateway: stop_grace_period should exceed/,
    ],
    [
      'a shutdown longer than the grace period',
      (d) => void (env(d, 'events').SHUTDOWN_TIMEOUT_MS = '60000'),
      /events: stop_grace_period should exceed its shutdown time \(60 s\)/,
    ],
    [
      'a gateway URL on the wrong port',
      (d) => void (env(d, 'gateway').EVENTS_URL = 'http://events:4010/graphql'),
      /gateway: EVENTS_URL=.*port should be 4001/,
    ],
    [
      'a gateway URL on the wrong host',
      (d) => void (env(d, 'gateway').USERS_URL = 'http://user:4003/graphql'),
      /host should be users/,
    ],
    [
      'a subgraph on another port',
      (d) => void (env(d, 'events').EVENTS_PORT = '4005'),
      /EVENTS_PORT=4005, supergraph.yaml says 4001/,
    ],
    [
      'JWKS_URL left at its 127.0.0.1 default',
      (d) => void delete env(d, 'tickets').JWKS_URL,
      /tickets: JWKS_URL is required/,
    ],
    [
      'a missing DATABASE_URL',
      (d) => void delete env(d, 'events').DATABASE_URL,
      /events: DATABASE_URL is required/,
    ],
    [
      'a missing REDIS_URL',
      (d) => void delete env(d, 'recommendations').REDIS_URL,
      /recommendations: REDIS_URL is required/,
    ],
    [
      'NODE_ENV=development',
      (d) => void (env(d, 'users').NODE_ENV = 'development'),
      /NODE_ENV should be production/,
    ],
    [
      'a typo in a variable',
      (d) => void (env(d, 'tickets').EVENT_URL = 'http://events:4001/graphql'),
      /EVENT_URL is not a setting/,
    ],
    [
      'a secret where it is not used',
      (d) => void (env(d, 'gateway').JWT_PRIVATE_KEY = 'x'),
      /JWT_PRIVATE_KEY is not a setting of gateway/,
    ],
    [
      'an invalid value',
      (d) => void (env(d, 'events').INTERNAL_SECRET = 'short'),
      /INTERNAL_SECRET: must be at least 16/,
    ],
    [
      'a missing healthcheck',
      (d) => void delete svc(d, 'tickets').healthcheck,
      /tickets: needs a healthcheck/,
    ],
    [
      'a disabled healthcheck',
      (d) => void (svc(d, 'redis').healthcheck = { disable: true }),
      /redis: needs a healthcheck/,
    ],
    [
      'a healthcheck on another port',
      (d) =>
        void (asObject(svc(d, 'users').healthcheck).test = ['CMD', 'curl', 'http://127.0.0.1:4000/ready']),
      /users: its healthcheck/,
    ],
    [
      'depends_on without service_healthy',
      (d) => void (asObject(svc(d, 'gateway').depends_on).users = { condition: 'service_started' }),
      /gateway: should wait for users: service_healthy/,
    ],
    [
      'depends_on as a list',
      (d) => void (svc(d, 'gateway').depends_on = ['users']),
      /should name a condition/,
    ],
    [
      'a dependency left out',
      (d) => void delete asObject(svc(d, 'events').depends_on).redis,
      /events: talks to redis/,
    ],
    [
      'a dependency cycle',
      (d) => void (asObject(svc(d, 'users').depends_on).tickets = { condition: 'service_healthy' }),
      /cycle/,
    ],
    [
      'a subgraph left out',
      (d) => void delete asObject(d.services).recommendations,
      /recommendations: missing/,
    ],
    [
      'another image name',
      (d) => void (svc(d, 'events').image = 'events'),
      /image should be marquee\/events/,
    ],
    [
      'a wrong Dockerfile',
      (d) => void (svc(d, 'events').build = { context: '.', dockerfile: 'subgraphs/events/Dockerfile' }),
      /events: build: \{ context: \., dockerfile: subgraphs\/Dockerfile, args: \{ SUBGRAPH: events, PORT: 4001 \} \}/,
    ],
    [
      'the subgraph Dockerfile told another subgraph',
      (d) => void (asObject(asObject(svc(d, 'tickets').build).args).SUBGRAPH = 'events'),
      /tickets: build: .*args: \{ SUBGRAPH: tickets, PORT: 4002 \}/,
    ],
    [
      'the subgraph Dockerfile told another port',
      (d) => void (asObject(asObject(svc(d, 'users').build).args).PORT = '4001'),
      /users: build: .*args: \{ SUBGRAPH: users, PORT: 4003 \}/,
    ],
    ['a published subgraph', (d) => void (svc(d, 'events').ports = ['4001:4001']), /expose, do not publish/],
    [
      'the gateway not published',
      (d) => void delete svc(d, 'gateway').ports,
      /gateway: should publish port 4000/,
    ],
    ['a writable root filesystem', (d) => void delete svc(d, 'users').read_only, /users: read_only/],
    [
      'an unknown field',
      (d) => void (svc(d, 'events').helthcheck = {}),
      /additional properties \(helthcheck\)/,
    ],
    [
      'a field of the wrong type',
      (d) => void (svc(d, 'gateway').ports = '4000:4000'),
      /\/services\/gateway\/ports must be array/,
    ],
  ];
  it.each(cases)('%s', (_name, mutate, expected) => {
    const doc = structuredClone(original);
    mutate(doc);
    expect(doc).not.toEqual(original);
    expect(composeProblems(doc).join('\n')).toMatch(expected);
  });
});
