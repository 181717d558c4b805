import { createHash } from 'node:crypto';
import { errorCodes, graphql, type GraphQLResponse } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../harness.js';

/*
 * Hostile and greedy callers of the account mutations, end to end through the gateway (Step 9):
 * (a) guessing passwords, one account at a time, in parallel and across accounts (credential
 * stuffing); (b) creating accounts in bulk from one address; (c) the friendly case that used to
 * end a login: one refresh token presented twice at once (two tabs, a client retry).
 *
 * The gateway trusts one proxy hop here, so `x-forwarded-for` plays the client's address; each
 * test uses addresses of its own (TEST-NET ranges), so their counters never meet.
 */

const GRACE_SECONDS = 2;
let stack: TestStack;
let sql: postgres.Sql;
beforeAll(async () => {
  stack = await startTestStack({
    TRUST_PROXY_HOPS: '1',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
    SIGN_UP_PER_IP_PER_HOUR: '5',
    SIGN_IN_FREE_FAILURES_PER_IP: '12',
    REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS),
  });
  sql = postgres(stack.databaseUrl, { max: 1 });
});
afterAll(async () => {
  await sql?.end();
  await stack?.stop();
});

type Pair = { accessToken: string; refreshToken: string; user: { id: string } };
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken refreshToken user { id } } }`;
const SIGN_IN = `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken refreshToken user { id } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken user { id } } }`;
const PASSWORD = 'the right password';

const from = <T>(ip: string, query: string, variables: Record<string, unknown>) =>
  graphql<T>(stack.gatewayUrl, query, variables, { headers: { 'x-forwarded-for': ip } });
const signIn = (ip: string, email: string, password: string) =>
  from<{ signIn: Pair }>(ip, SIGN_IN, { e: email, p: password });
const refresh = (token: string) => from<{ refreshSession: Pair }>('192.0.2.200', REFRESH, { t: token });
async function signUp(ip: string, email: string): Promise<Pair> {
  const res = await from<{ signUp: Pair }>(ip, SIGN_UP, { i: { email, password: PASSWORD, name: 'Victim' } });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}
const code = (res: GraphQLResponse<unknown>) => errorCodes(res)[0] ?? 'ok';
const retryAfter = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.retryAfterSeconds;
const tally = (codes: string[]) =>
  codes.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c]: (acc[c] ?? 0) + 1 }), {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** 5 free attempts, then one more per delay that can have run out in `ms` (1 s, 2 s, 4 s...). */
const checkedAtMost = (ms: number) => 5 + Math.floor(Math.log2(ms / 1_000 + 1));

describe('(a) password guessing', () => {
  it('150 guesses at one account from one address: 5 free, then one per delay; the right one is refused', async () => {
    await signUp('198.51.100.1', 'guessed@example.com');
    const codes: string[] = [];
    let first: GraphQLResponse<unknown> | undefined;
    const started = Date.now();
    for (let i = 0; i < 150; i++) {
      // The right password is guess number 8: it comes while the first delay runs.
      const res = await signIn('203.0.113.1', 'guessed@example.com', i === 7 ? PASSWORD : `guess-${i}-wrong`);
      codes.push(code(res));
      if (code(res) === 'RATE_LIMITED') first ??= res;
    }
    const elapsed = Date.now() - started;
    console.info(`150 guesses in ${elapsed} ms: ${JSON.stringify(tally(codes))}`);
    expect(codes[7]).toBe('RATE_LIMITED');
    expect(codes).not.toContain('ok');
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('UNAUTHENTICATED'));
    // Checked: the 5 free ones, and one more each time a delay (1 s, 2 s, 4 s...) ran out meanwhile.
    expect(tally(codes).UNAUTHENTICATED).toBeLessThanOrEqual(checkedAtMost(elapsed));
    expect(retryAfter(first!)).toBe(1);
    expect(first!.errors![0]!.message).not.toMatch(/guessed@example.com|guess-/);
  });

  it('50 parallel wrong guesses: no more than the 5 free ones reach the password check', async () => {
    await signUp('198.51.100.2', 'parallel@example.com');
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signIn('203.0.113.2', 'parallel@example.com', `nope-${i}-nope`)),
    );
    const elapsed = Date.now() - started;
    const counts = tally(results.map(code));
    console.info(`50 parallel guesses in ${elapsed} ms: ${JSON.stringify(counts)}`);
    expect(counts.UNAUTHENTICATED).toBeGreaterThanOrEqual(5);
    expect(counts.UNAUTHENTICATED).toBeLessThanOrEqual(checkedAtMost(elapsed));
    expect(counts.UNAUTHENTICATED! + counts.RATE_LIMITED!).toBe(50);
  });

  it('the delay doubles with each further failure, and a success clears the count', async () => {
    await signUp('198.51.100.3', 'doubling@example.com');
    const ip = '203.0.113.3';
    for (let i = 0; i < 5; i++) await signIn(ip, 'doubling@example.com', 'wrong password');
    const refused1 = await signIn(ip, 'doubling@example.com', PASSWORD);
    expect([code(refused1), retryAfter(refused1)]).toEqual(['RATE_LIMITED', 1]);
    await sleep(1_100);
    expect(code(await signIn(ip, 'doubling@example.com', 'wrong again'))).toBe('UNAUTHENTICATED');
    const refused2 = await signIn(ip, 'doubling@example.com', PASSWORD);
    expect([code(refused2), retryAfter(refused2)]).toEqual(['RATE_LIMITED', 2]);
    await sleep(2_100);
    expect(code(await signIn(ip, 'doubling@example.com', PASSWORD))).toBe('ok');
    // Cleared: the owner's next typo is an ordinary one again.
    for (let i = 0; i < 5; i++)
      expect(code(await signIn(ip, 'doubling@example.com', 'typo typo'))).toBe('UNAUTHENTICATED');
  });

  it('an unknown e-mail is throttled exactly like an account (no enumeration by the answers)', async () => {
    await signUp('198.51.100.4', 'known@example.com');
    const attempts = async (ip: string, email: string) => {
      const out: [string, unknown, string][] = [];
      for (let i = 0; i < 7; i++) {
        const res = await signIn(ip, email, 'wrong password');
        out.push([code(res), retryAfter(res), res.errors?.[0]?.message ?? '']);
      }
      return out;
    };
    const known = await attempts('203.0.113.4', 'known@example.com');
    const unknown = await attempts('203.0.113.5', 'nobody-here@example.com');
    expect(known.map((a) => a[0])).toEqual([
      ...Array(5).fill('UNAUTHENTICATED'),
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    expect(unknown).toEqual(known);
  });

  it('credential stuffing: one address trying one password on many accounts is slowed too', async () => {
    const owner = 'stuffed@example.com';
    await signUp('198.51.100.5', owner);
    const codes: string[] = [];
    for (let i = 0; i < 14; i++)
      codes.push(code(await signIn('203.0.113.6', `list-${i}@example.com`, 'password123')));
    expect(codes).toEqual([...Array(12).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED']);
    // Even a right password from that address waits; from any other address it is fine.
    expect(code(await signIn('203.0.113.6', owner, PASSWORD))).toBe('RATE_LIMITED');
    expect(code(await signIn('203.0.113.7', owner, PASSWORD))).toBe('ok');
  });

  it('failing on purpose from many addresses does not lock the owner out of an address they signed in from', async () => {
    const victim = 'targeted@example.com';
    await signUp('198.51.100.6', victim);
    const home = '198.51.100.66';
    expect(code(await signIn(home, victim, PASSWORD))).toBe('ok');
    // 20 failures from 4 addresses (5 each, the free ones per address): the account's 20 are used up.
    for (let a = 0; a < 4; a++)
      for (let i = 0; i < 5; i++) await signIn(`203.0.113.${20 + a}`, victim, `attack-${i}`);
    const elsewhere = await signIn('203.0.113.30', victim, PASSWORD);
    expect(code(elsewhere)).toBe('RATE_LIMITED');
    // The account-wide delay is capped short: a victim on a new address waits a minute at most.
    expect(retryAfter(elsewhere)).toBeLessThanOrEqual(60);
    expect(code(await signIn(home, victim, PASSWORD))).toBe('ok');
  });
});

describe('(b) bulk sign-up', () => {
  it('one address gets SIGN_UP_PER_IP_PER_HOUR accounts an hour; the next is RATE_LIMITED and writes nothing', async () => {
    const results: GraphQLResponse<unknown>[] = [];
    for (let i = 0; i < 7; i++)
      results.push(
        await from('203.0.113.40', SIGN_UP, {
          i: { email: `bulk-${i}@example.com`, password: PASSWORD, name: 'Bulk' },
        }),
      );
    expect(results.map(code)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    const wait = retryAfter(results[5]!) as number;
    expect(wait).toBeGreaterThan(3_500);
    expect(wait).toBeLessThanOrEqual(3_600);
    const rows =
      await sql`select email from users.accounts where email like 'bulk-%@example.com' order by email`;
    expect(rows.map((r) => r.email)).toEqual([0, 1, 2, 3, 4].map((i) => `bulk-${i}@example.com`));
    // Another address is not affected.
    await signUp('203.0.113.41', 'bulk-elsewhere@example.com');
  });
});

describe('(c) refresh-token reuse', () => {
  it('two concurrent refreshes of one token get the same new pair, and the login lives on', async () => {
    const start = await signUp('198.51.100.7', 'two-tabs@example.com');
    const [a, b] = await Promise.all([refresh(start.refreshToken), refresh(start.refreshToken)]);
    expect([code(a), code(b)]).toEqual(['ok', 'ok']);
    expect(b.data!.refreshSession.refreshToken).toBe(a.data!.refreshSession.refreshToken);
    expect(b.data!.refreshSession.accessToken).toBe(a.data!.refreshSession.accessToken);
    expect(a.data!.refreshSession.refreshToken).not.toBe(start.refreshToken);
    // A client retry (the answer was lost) within the grace: the same pair once more.
    const retry = await refresh(start.refreshToken);
    expect(retry.data?.refreshSession).toEqual(a.data!.refreshSession);
    const next = await refresh(a.data!.refreshSession.refreshToken);
    expect(code(next)).toBe('ok');
  });

  it('keeps that successor only sealed: neither new token is readable in the database', async () => {
    const start = await signUp('198.51.100.8', 'sealed@example.com');
    const next = (await refresh(start.refreshToken)).data!.refreshSession;
    const hash = createHash('sha256').update(start.refreshToken).digest('hex');
    const [row] = await sql`select * from users.refresh_tokens where token_hash = ${hash}`;
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(next.refreshToken);
    expect(stored).not.toContain(next.accessToken);
    expect(stored).not.toContain(next.accessToken.split('.')[1]!);
  });

  it('a reuse after the grace still ends the whole login', async () => {
    const start = await signUp('198.51.100.9', 'stolen@example.com');
    const next = await refresh(start.refreshToken);
    expect(code(next)).toBe('ok');
    await sleep(GRACE_SECONDS * 1_000 + 300);
    expect(code(await refresh(start.refreshToken))).toBe('UNAUTHENTICATED');
    expect(code(await refresh(next.data!.refreshSession.refreshToken))).toBe('UNAUTHENTICATED');
  });
});
