import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { freshDatabase } from '@marquee/db/test-database';
import { connectionCount, freePort, type TestDatabase } from '@marquee/db/testing';
import { parseEnv } from '@marquee/env';
import { createLogger } from '@marquee/subgraph-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersEnvSchema } from '../src/env.js';
import { startUsersService } from '../src/service.js';

// A start that failed half-way used to leave its pool open (idle connections for 30 s, and the
// process kept alive by them).
let database: TestDatabase;
beforeAll(async () => void (database = await freshDatabase()));
afterAll(() => database.drop());

const start = (port: number, overrides: Record<string, string> = {}) =>
  startUsersService(
    parseEnv(usersEnvSchema, {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      INTERNAL_SECRET: randomBytes(16).toString('hex'),
      HOST: '127.0.0.1',
      ...overrides,
    }),
    { port, log: createLogger('users', 'silent') },
  );
const poolConnections = (settle = false) => connectionCount(database.url, 'marquee-users', { settle });

describe('starting the users service', () => {
  it('holds connections while it runs and none once closed', async () => {
    const service = await start(0);
    expect(await poolConnections()).toBeGreaterThan(0);
    await service.close();
    expect(await poolConnections(true)).toBe(0);
  });

  it('on a port in use: fails after migrating, and closes its pool', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      await expect(start(port)).rejects.toThrow(/EADDRINUSE|already in use/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    expect(await poolConnections(true)).toBe(0);
  });

  it('with a signing key that does not load: fails, and closes its pool', async () => {
    // A PEM in shape (the env schema accepts it) whose key is cut short.
    const truncated = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n';
    await expect(start(0, { JWT_PRIVATE_KEY: truncated })).rejects.toThrow();
    expect(await poolConnections(true)).toBe(0);
  });
});
