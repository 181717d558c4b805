import { createHash } from 'node:crypto';
import { errorCodes, type GraphQLResponse } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUsers } from './harness.js';

/*
 * One refresh token presented more than once: within REFRESH_REUSE_GRACE_SECONDS (default 10)
 * it is the same client racing itself (two tabs, a retry after a lost answer) and gets the same
 * successor; after it, a copy is in someone else's hands and the whole login ends.
 */

type Pair = { accessToken: string; refreshToken: string; user: { id: string } };
let users: Awaited<ReturnType<typeof startUsers>>;
let sql: postgres.Sql;
beforeAll(async () => {
  users = await startUsers();
  sql = postgres(users.databaseUrl, { max: 1 });
});
afterAll(async () => {
  await sql.end();
  await users.stop();
});

const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken refreshToken user { id } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken user { id } } }`;
const SIGN_OUT = `mutation($t: String!) { signOut(refreshToken: $t) }`;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const code = (res: GraphQLResponse<unknown>) => errorCodes(res)[0] ?? 'ok';
const refresh = (token: string) => users.call<{ refreshSession: Pair }>(REFRESH, { t: token });
async function signUp(email: string): Promise<Pair> {
  const res = await users.call<{ signUp: Pair }>(SIGN_UP, {
    i: { email, password: 'long enough', name: 'Tabs' },
  });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}
/** Moves a token's rotation into the past, as if the grace had gone by. */
const age = (token: string, seconds: number) =>
  sql`update users.refresh_tokens set rotated_at = rotated_at - make_interval(secs => ${seconds}) where token_hash = ${hash(token)}`;

describe('refresh-token reuse grace', () => {
  it('gives every one of 10 racing refreshes of one token the same new pair, minting exactly one', async () => {
    const start = await signUp('racing@example.com');
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(start.refreshToken)));
    expect(results.map(code)).toEqual(Array(10).fill('ok'));
    const pairs = new Set(results.map((r) => JSON.stringify(r.data!.refreshSession)));
    expect(pairs.size).toBe(1);
    const rows = await sql`select family_id from users.refresh_tokens where user_id = ${start.user.id}`;
    expect(rows).toHaveLength(2);
    const next = results[0]!.data!.refreshSession;
    expect(next.refreshToken).not.toBe(start.refreshToken);
    expect(code(await refresh(next.refreshToken))).toBe('ok');
  });

  it('answers a retry within the grace with the same pair', async () => {
    const start = await signUp('retry@example.com');
    const first = await refresh(start.refreshToken);
    await age(start.refreshToken, 8);
    const again = await refresh(start.refreshToken);
    expect(again.data).toEqual(first.data);
  });

  it('ends the whole login on a reuse after the grace, and forgets the sealed successor', async () => {
    const start = await signUp('stolen@example.com');
    const next = (await refresh(start.refreshToken)).data!.refreshSession;
    await age(start.refreshToken, 11);
    expect(code(await refresh(start.refreshToken))).toBe('UNAUTHENTICATED');
    expect(code(await refresh(next.refreshToken))).toBe('UNAUTHENTICATED');
    const [row] =
      await sql`select successor from users.refresh_tokens where token_hash = ${hash(start.refreshToken)}`;
    expect(row!.successor).toBeNull();
  });

  it('keeps the successor sealed with a key only the old token gives', async () => {
    const start = await signUp('sealed@example.com');
    const next = (await refresh(start.refreshToken)).data!.refreshSession;
    const [row] =
      await sql`select * from users.refresh_tokens where token_hash = ${hash(start.refreshToken)}`;
    expect(typeof row!.successor).toBe('string');
    const stored = JSON.stringify(row);
    for (const part of [next.refreshToken, next.accessToken, ...next.accessToken.split('.')])
      expect(stored).not.toContain(part);
    // A tampered seal opens to nothing: the reuse is refused, nothing else is handed out.
    await sql`update users.refresh_tokens set successor = overlay(successor placing 'AAAA' from 20) where token_hash = ${hash(start.refreshToken)}`;
    expect(code(await refresh(start.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('does not bring back a successor that was signed out', async () => {
    const start = await signUp('signed-out@example.com');
    const next = (await refresh(start.refreshToken)).data!.refreshSession;
    expect((await users.call(SIGN_OUT, { t: next.refreshToken })).data).toEqual({ signOut: true });
    expect(code(await refresh(start.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('turns the grace off with REFRESH_REUSE_GRACE_SECONDS=0: any reuse ends the login', async () => {
    const strict = await startUsers({ REFRESH_REUSE_GRACE_SECONDS: '0' });
    try {
      const res = await strict.call<{ signUp: Pair }>(SIGN_UP, {
        i: { email: 'strict@example.com', password: 'long enough', name: 'Strict' },
      });
      const start = res.data!.signUp;
      const next = await strict.call<{ refreshSession: Pair }>(REFRESH, { t: start.refreshToken });
      expect(code(next)).toBe('ok');
      expect(code(await strict.call(REFRESH, { t: start.refreshToken }))).toBe('UNAUTHENTICATED');
      expect(code(await strict.call(REFRESH, { t: next.data!.refreshSession.refreshToken }))).toBe(
        'UNAUTHENTICATED',
      );
    } finally {
      await strict.stop();
    }
  });
});
