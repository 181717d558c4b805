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
