import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from '@marquee/db/test-database';
import { EnvError } from '@marquee/env';
import { startStack } from '@marquee/stack';
import { createLogger } from '@marquee/subgraph-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness.js';

const manifest = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../operations/persisted-query-manifest.json', import.meta.url)),
    'utf8',
  ),
) as { operations: { id: string; name: string; body: string }[] };
const trending = manifest.operations.find((o) => o.name === 'TrendingEvents')!;
const signUp = manifest.operations.find((o) => o.name === 'SignUp')!;
const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    NODE_ENV: 'production',
    JWT_PRIVATE_KEY: pem,
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '8',
    // A staging-like deployment: the built-in test payment provider, knowingly.
    ALLOW_TEST_PAYMENTS: 'true',
  });
});
afterAll(() => stack?.stop());

async function post(body: object, headers: Record<string, string> = {}) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions: { code: string } }[];
    },
  };
}

describe('NODE_ENV=production', () => {
  it('runs registered operations only, refusing ad-hoc documents and APQ registration', async () => {
    const signedUp = await post({
      query: signUp.body,
      variables: { input: { email: 'prod@example.com', password: 'long enough password', name: 'Prod' } },
    });
    const token = (signedUp.body.data as { signUp: { accessToken: string } }).signUp.accessToken;
    const auth = { authorization: `Bearer ${token}` };
    const registered = await post({ query: trending.body, variables: { first: 1 } }, auth);
    expect(registered.body.errors).toBeUndefined();
    const byId = await post(
      { variables: { first: 1 }, extensions: { persistedQuery: { version: 1, sha256Hash: trending.id } } },
      auth,
    );
    expect(byId.body.errors).toBeUndefined();
    const adHoc = await post({ query: '{ events { totalCount } }' }, auth);
    expect(adHoc.body.errors![0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');

    // No new document reaches the executor at all: APQ registration is off too (see
    // attacks/production-edge.e2e.spec.ts for introspection and suggestions with it on).
    const hash = (await import('node:crypto'))
      .createHash('sha256')
      .update('{ events { totalCount } }')
      .digest('hex');
    const apq = await post(
      {
        query: '{ events { totalCount } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      },
      auth,
    );
    expect(apq.body.errors![0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });

  it('limits anonymous traffic per IP, with a retry-after hint', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 10; i++) {
      last = await post({ query: trending.body, variables: { first: 1 } });
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(8);
    expect(statuses.at(-1)).toBe(429);
    expect(last!.body.errors![0]!.extensions.code).toBe('RATE_LIMITED');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('shows no stack traces or SQL in errors', async () => {
    const res = await post({ query: trending.body, variables: { first: -5 } });
    expect(JSON.stringify(res.body)).not.toMatch(/stack|\.ts:\d|select |node_modules/i);
  });
});

describe('NODE_ENV=production without ALLOW_TEST_PAYMENTS', () => {
  it('refuses to start on the built-in test payment provider (tok_ok charges nothing), saying what to do', async () => {
    const database = await freshDatabase();
    const outcome = await startStack({
      databaseUrl: database.url,
      ports: 'random',
      source: { NODE_ENV: 'production', JWT_PRIVATE_KEY: pem, LOG_LEVEL: 'silent' },
      log: (name) => createLogger(name, 'silent'),
    }).then(
      async (started) => {
        await started.close();
        return 'started';
      },
      (error: unknown) => error,
    );
    await database.drop();
    expect(outcome).toBeInstanceOf(EnvError);
    expect((outcome as EnvError).problems).toEqual([
      expect.stringMatching(
        /^PAYMENT_PROVIDER: is "test" with NODE_ENV=production: .*tok_ok and charges nothing/,
      ),
    ]);
    expect((outcome as EnvError).message).toMatch(
      /Configure a real payment provider, or set ALLOW_TEST_PAYMENTS=true/,
    );
  });
});
