import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { common, EnvError, parseEnv, z } from './index.js';

const schema = z.object({
  NODE_ENV: common.nodeEnv,
  PORT: common.port(4001),
  DATABASE_URL: common.postgresUrl,
  REDIS_URL: common.redisUrl.optional(),
});

describe('parseEnv', () => {
  it('applies defaults and coerces numbers', () => {
    const env = parseEnv(schema, { DATABASE_URL: 'postgres://x/y', PORT: '4100' });
    expect(env).toEqual({ NODE_ENV: 'development', PORT: 4100, DATABASE_URL: 'postgres://x/y' });
  });

  it('lists every problem, not only the first', () => {
    try {
      parseEnv(schema, { NODE_ENV: 'prod', PORT: 'abc', REDIS_URL: 'http://nope' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError);
      const problems = (error as EnvError).problems.join('\n');
      expect(problems).toMatch(/NODE_ENV/);
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/REDIS_URL/);
    }
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv(schema, { DATABASE_URL: 'postgresql://a', REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});

describe('secrets in production', () => {
  const service = z.object({
    NODE_ENV: common.nodeEnv,
    DATABASE_URL: common.postgresUrl,
    INTERNAL_SECRET: common.secret,
    OTHER_SECRET: common.secret.optional(),
  });
  const production = (secrets: Record<string, string>) => ({
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://db/marquee',
    ...secrets,
  });
  const problemsOf = (source: Record<string, string>) => {
    try {
      parseEnv(service, source);
      return [];
    } catch (error) {
      if (!(error instanceof EnvError)) throw error;
      return error.problems;
    }
  };
  const random = () => randomBytes(32).toString('base64');

  // The placeholders the repository shows: whoever copies one must not get a running service.
  const example = readFileSync(new URL('../../../deploy/secret.example.yaml', import.meta.url), 'utf8');
  const placeholders = [
    /^\s*INTERNAL_SECRET:\s*(\S+)/m.exec(example)?.[1] ?? 'missing in secret.example.yaml',
    'CHANGE-ME-at-least-16-characters', // secret.example.yaml's until it asked for 32
    'change-me-internal-secret-0123456789', // docker-compose.yml's default until it required one
    'x'.repeat(32),
    'abcd'.repeat(8),
  ];

  it('accepts a random secret', () => {
    expect(problemsOf(production({ INTERNAL_SECRET: random(), OTHER_SECRET: random() }))).toEqual([]);
  });

  it('refuses one shorter than 32 characters', () => {
    expect(problemsOf(production({ INTERNAL_SECRET: 'only-twenty-chars-ok' }))).toEqual([
      'INTERNAL_SECRET: must be at least 32 characters in production (e.g. openssl rand -base64 32)',
    ]);
  });

  it.each(placeholders)('refuses the placeholder %s', (placeholder) => {
    const problems = problemsOf(production({ INTERNAL_SECRET: placeholder }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^INTERNAL_SECRET: /);
    expect(problems[0]).not.toContain(placeholder);
  });

  it('lists every secret problem with the others, then the service exits', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      INTERNAL_SECRET: placeholders[0]!,
      OTHER_SECRET: 'short-but-sixteen',
    });
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).toMatch(/INTERNAL_SECRET: is a placeholder/);
    expect(problems.join('\n')).toMatch(/OTHER_SECRET: must be at least 32/);
  });

  it('leaves development and tests their short, memorable secrets', () => {
    for (const NODE_ENV of ['development', 'test'])
      expect(problemsOf({ ...production({ INTERNAL_SECRET: placeholders[0]! }), NODE_ENV })).toEqual([]);
  });
});
