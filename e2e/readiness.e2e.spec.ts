import { freshDatabase } from '@marquee/db/test-database';
import { parseEnv } from '@marquee/env';
import { gatewayEnvSchema, startGateway } from '@marquee/gateway';
import { createLogger } from '@marquee/subgraph-kit';
import { eventually } from '@marquee/subgraph-kit/testing';
import { startUsersService, usersEnvSchema } from '@marquee/users';
import { describe, expect, it } from 'vitest';
import { freePort } from './processes.js';

const INTERNAL_SECRET = 'readiness-test-internal-secret';
const base = (url: string) => url.replace(/\/graphql$/, '');
const probe = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('readiness', () => {
  it('turns 503 when the service`s database goes away; the process stays healthy', async () => {
    const database = await freshDatabase();
    const env = parseEnv(usersEnvSchema, {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      INTERNAL_SECRET,
      HOST: '127.0.0.1',
    });
    const users = await startUsersService(env, { port: 0, log: createLogger('users', 'silent') });
    try {
      expect(await probe(`${base(users.url)}/ready`)).toMatchObject({
        status: 200,
        body: { status: 'ok', info: { postgres: { status: 'up' } } },
      });
      await database.drop(); // terminates the service's connections, and the database is gone
      await eventually(async () =>
        expect(await probe(`${base(users.url)}/ready`)).toMatchObject({
          status: 503,
          body: { status: 'error', error: { postgres: { status: 'down' } } },
        }),
      );
      expect((await probe(`${base(users.url)}/health`)).status).toBe(200);
    } finally {
      await users.close();
    }
  });

  it('at the gateway, turns 503 when the subgraphs do not answer', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/graphql`;
    const env = parseEnv(gatewayEnvSchema, { NODE_ENV: 'test', INTERNAL_SECRET, HOST: '127.0.0.1' });
    const gateway = await startGateway(env, {
      port: 0,
      log: createLogger('gateway', 'silent'),
      subgraphUrls: { events: closed, tickets: closed, users: closed, recommendations: closed },
    });
    try {
      expect(await probe(`${base(gateway.url)}/ready`)).toMatchObject({
        status: 503,
        body: { status: 'error', error: { subgraphs: { status: 'down' } } },
      });
      expect((await probe(`${base(gateway.url)}/health`)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
