import { CLIENT_IP_HEADER } from '@marquee/auth';
import { errorCodes, graphql, type GraphQLResponse } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUsers } from './harness.js';

/* Bulk account creation from one client address (SIGN_UP_PER_IP_PER_HOUR, here 3). */

let users: Awaited<ReturnType<typeof startUsers>>;
let sql: postgres.Sql;
beforeAll(async () => {
  users = await startUsers({ SIGN_UP_PER_IP_PER_HOUR: '3' });
  sql = postgres(users.databaseUrl, { max: 1 });
});
afterAll(async () => {
  await sql.end();
  await users.stop();
});

const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`;
const signUp = (ip: string, email: string, password = 'long enough') =>
  graphql(
    users.url,
    SIGN_UP,
    { i: { email, password, name: 'Bulk' } },
    {
      internalSecret: users.internalSecret,
      headers: { [CLIENT_IP_HEADER]: ip },
    },
  );
const code = (res: GraphQLResponse<unknown>) => errorCodes(res)[0] ?? 'ok';
const accounts = async (prefix: string) =>
  (await sql`select email from users.accounts where email like ${prefix + '%'} order by email`).map(
    (r) => r.email as string,
  );

describe('sign-up limit per client address', () => {
  it('creates SIGN_UP_PER_IP_PER_HOUR accounts an hour, then RATE_LIMITED with retryAfterSeconds and nothing written', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await signUp('203.0.113.1', `a${i}@example.com`));
    expect(results.map(code)).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    const refused = results[3]!.errors![0]!;
    expect(refused.extensions!.retryAfterSeconds).toBeGreaterThan(3_590);
    expect(refused.extensions!.retryAfterSeconds).toBeLessThanOrEqual(3_600);
    expect(refused.message).not.toContain('a3@example.com');
    expect(await accounts('a')).toEqual(['a0@example.com', 'a1@example.com', 'a2@example.com']);
    expect(code(await signUp('203.0.113.2', 'a5@example.com'))).toBe('ok');
  });

  it('holds under concurrency: of 10 parallel sign-ups from one address exactly 3 are created', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => signUp('203.0.113.3', `b${i}@example.com`)),
    );
    expect(results.map(code).filter((c) => c === 'ok')).toHaveLength(3);
    expect(results.map(code).filter((c) => c === 'RATE_LIMITED')).toHaveLength(7);
    expect(await accounts('b')).toHaveLength(3);
  });

  it('does not count invalid input, does count a taken e-mail (probing for accounts is sign-up too)', async () => {
    expect(code(await signUp('203.0.113.4', 'c0@example.com', 'short'))).toBe('BAD_USER_INPUT');
    expect(code(await signUp('203.0.113.4', 'c0@example.com'))).toBe('ok');
    expect(code(await signUp('203.0.113.4', 'c0@example.com'))).toBe('CONFLICT');
    expect(code(await signUp('203.0.113.4', 'c1@example.com'))).toBe('ok');
    expect(code(await signUp('203.0.113.4', 'c2@example.com'))).toBe('RATE_LIMITED');
  });

  it('starts a new window an hour after the first sign-up of the last one', async () => {
    for (let i = 0; i < 3; i++) await signUp('203.0.113.5', `d${i}@example.com`);
    expect(code(await signUp('203.0.113.5', 'd3@example.com'))).toBe('RATE_LIMITED');
    await sql`update users.sign_up_windows set started_at = started_at - interval '1 hour'`;
    expect(code(await signUp('203.0.113.5', 'd3@example.com'))).toBe('ok');
    const rows = JSON.stringify(await sql`select * from users.sign_up_windows`);
    expect(rows).not.toContain('203.0.113');
  });
});
