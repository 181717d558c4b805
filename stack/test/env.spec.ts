import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadStackEnvOrExit } from '../src/env.js';

afterEach(() => vi.restoreAllMocks());

describe('start-up configuration', () => {
  it('lists every problem of every service at once, then exits 1', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exit');
    });
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((message: string) => void printed.push(message));
    expect(() =>
      loadStackEnvOrExit({
        NODE_ENV: 'production',
        GATEWAY_PORT: 'x',
        RESERVATION_TTL_SECONDS: 'soon',
        REDIS_URL: 'http://not-redis',
        INTERNAL_SECRET: 'short',
      }),
    ).toThrow('exit');
    expect(exit).toHaveBeenCalledWith(1);
    const text = printed.join('\n');
    for (const name of [
      'GATEWAY_PORT',
      'RESERVATION_TTL_SECONDS',
      'REDIS_URL',
      'INTERNAL_SECRET',
      'DATABASE_URL',
      'JWT_PRIVATE_KEY',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('accepts an empty environment outside production (the zero-setup demo)', () => {
    const env = loadStackEnvOrExit({});
    expect(env).toMatchObject({ NODE_ENV: 'development', EMBEDDED_PG_PORT: 54329, GATEWAY_PORT: 4000 });
    expect(env.DATABASE_URL).toBeUndefined();
  });
});
