import { Writable } from 'node:stream';
import { CLIENT_IP_HEADER } from '@marquee/auth';
import { parseEnv } from '@marquee/env';
import { createLogger } from '@marquee/subgraph-kit';
import { errorCodes, graphql, type GraphQLResponse } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersEnvSchema } from '../src/env.js';
import { startUsersService } from '../src/service.js';
import { startUsers } from './harness.js';

/*
 * Password guessing against signIn, called the way the gateway calls it (with the client's
 * address in x-marquee-client-ip). The counters live in PostgreSQL, so a second replica on the
 * same database is started to see them shared.
 */

let users: Awaited<ReturnType<typeof startUsers>>;
let sql: postgres.Sql;
beforeAll(async () => {
  users = await startUsers({ SIGN_IN_FREE_FAILURES_PER_IP: '12' });
  sql = postgres(users.databaseUrl, { max: 1 });
});
afterAll(async () => {
  await sql.end();
  await users.stop();
});

const PASSWORD = 'the right password';
const SIGN_IN = `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken user { id } } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`;
const at = (url: string, ip: string, query: string, variables: Record<string, unknown>) =>
  graphql(url, query, variables, {
    internalSecret: users.internalSecret,
    headers: { [CLIENT_IP_HEADER]: ip },
  });
const signIn = (ip: string, email: string, password: string, url = users.url) =>
  at(url, ip, SIGN_IN, { e: email, p: password });
let signUps = 0;
async function account(email: string) {
  const res = await at(users.url, `192.0.2.${++signUps}`, SIGN_UP, {
    i: { email, password: PASSWORD, name: 'Owner' },
  });
  expect(res.errors).toBeUndefined();
}
const code = (res: GraphQLResponse<unknown>) => errorCodes(res)[0] ?? 'ok';
const retryAfter = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.retryAfterSeconds;
/** Lifts every current delay, as if it had passed (the counts stay). */
const skipDelays = () =>
  sql`update users.sign_in_throttles set blocked_until = now() where blocked_until > now()`;

describe('sign-in throttle', () => {
  it('refuses the 6th attempt from one address with RATE_LIMITED, even with the right password', async () => {
    await account('one@example.com');
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push(code(await signIn('203.0.113.1', 'one@example.com', 'wrong!!!')));
    expect(codes).toEqual(Array(5).fill('UNAUTHENTICATED'));
    const refused = await signIn('203.0.113.1', 'one@example.com', PASSWORD);
    expect(code(refused)).toBe('RATE_LIMITED');
    expect(retryAfter(refused)).toBe(1);
    expect(refused.errors![0]!.message).toBe('Too many sign-in attempts; retry in 1 s');
  });

  it('lets no more than the 5 free attempts of 50 parallel wrong guesses reach the password check', async () => {
    await account('parallel@example.com');
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => signIn('203.0.113.2', 'parallel@example.com', 'wrong!!!')),
    );
    // Exactly 5, unless the first delay (1 s) ran out before the last of them was admitted.
    const extra = Math.floor(Math.log2((Date.now() - started) / 1_000 + 1));
    const checked = results.map(code).filter((c) => c === 'UNAUTHENTICATED').length;
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(checked).toBeLessThanOrEqual(5 + extra);
    expect(results.map(code).filter((c) => c === 'RATE_LIMITED')).toHaveLength(50 - checked);
  });

  it('doubles the delay from 1 s per further failure, up to SIGN_IN_MAX_DELAY_SECONDS (900)', async () => {
    await account('doubling@example.com');
    for (let i = 0; i < 5; i++) await signIn('203.0.113.3', 'doubling@example.com', 'wrong!!!');
    const delays = [];
    for (let i = 0; i < 13; i++) {
      delays.push(retryAfter(await signIn('203.0.113.3', 'doubling@example.com', PASSWORD)));
      await skipDelays();
      expect(code(await signIn('203.0.113.3', 'doubling@example.com', 'wrong!!!'))).toBe('UNAUTHENTICATED');
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
  });

  it('clears the count on a success', async () => {
    await account('clears@example.com');
    for (let i = 0; i < 5; i++) await signIn('203.0.113.4', 'clears@example.com', 'wrong!!!');
    await skipDelays();
    expect(code(await signIn('203.0.113.4', 'clears@example.com', PASSWORD))).toBe('ok');
    for (let i = 0; i < 5; i++)
      expect(code(await signIn('203.0.113.4', 'clears@example.com', 'wrong!!!'))).toBe('UNAUTHENTICATED');
  });

  it('throttles an unknown e-mail exactly like an account', async () => {
    await account('known@example.com');
    const run = async (ip: string, email: string) => {
      const out = [];
      for (let i = 0; i < 7; i++) {
        const res = await signIn(ip, email, 'wrong!!!');
        out.push({ code: code(res), retryAfter: retryAfter(res), message: res.errors?.[0]?.message });
      }
      return out;
    };
    const known = await run('203.0.113.5', 'known@example.com');
    expect(await run('203.0.113.6', 'ghost@example.com')).toEqual(known);
    expect(known.map((k) => k.code)).toContain('RATE_LIMITED');
  });

  it('counts per address across accounts (credential stuffing), and successes do not count', async () => {
    await account('stuffing@example.com');
    // A busy office: many right passwords from one address never add up to a delay.
    for (let i = 0; i < 15; i++)
      expect(code(await signIn('203.0.113.7', 'stuffing@example.com', PASSWORD))).toBe('ok');
    const codes = [];
    for (let i = 0; i < 13; i++)
      codes.push(code(await signIn('203.0.113.7', `list-${i}@example.com`, 'password1')));
    expect(codes).toEqual([...Array(12).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    expect(code(await signIn('203.0.113.7', 'stuffing@example.com', PASSWORD))).toBe('RATE_LIMITED');
    expect(code(await signIn('203.0.113.8', 'stuffing@example.com', PASSWORD))).toBe('ok');
  });

  it('buckets IPv6 clients by /64 and IPv4-mapped addresses as IPv4', async () => {
    await account('v6@example.com');
    for (let i = 0; i < 5; i++) await signIn(`2001:db8:1:2::${i + 1}`, 'v6@example.com', 'wrong!!!');
    expect(code(await signIn('2001:db8:1:2:ffff::9', 'v6@example.com', PASSWORD))).toBe('RATE_LIMITED');
    expect(code(await signIn('2001:db8:1:3::1', 'v6@example.com', PASSWORD))).toBe('ok');
    for (let i = 0; i < 5; i++) await signIn('::ffff:198.51.100.9', 'v6@example.com', 'wrong!!!');
    expect(code(await signIn('198.51.100.9', 'v6@example.com', PASSWORD))).toBe('RATE_LIMITED');
  });

  it('an attacker failing on purpose cannot lock the owner out of an address they signed in from', async () => {
    await account('victim@example.com');
    expect(code(await signIn('198.51.100.1', 'victim@example.com', PASSWORD))).toBe('ok');
    // 20 failures from 4 addresses, 5 each (each pair's free ones): the account's 20 are used up.
    for (let a = 0; a < 4; a++)
      for (let i = 0; i < 5; i++) await signIn(`203.0.113.${100 + a}`, 'victim@example.com', 'wrong!!!');
    const elsewhere = await signIn('203.0.113.200', 'victim@example.com', PASSWORD);
    expect(code(elsewhere)).toBe('RATE_LIMITED');
    expect(code(await signIn('198.51.100.1', 'victim@example.com', PASSWORD))).toBe('ok');
    // That success cleared the account's count. However long the attack, the account-wide delay
    // stays short: a victim on a new address waits at most a minute.
    for (let i = 0; i < 32; i++) {
      await skipDelays();
      await signIn(`203.0.113.${110 + i}`, 'victim@example.com', 'wrong!!!');
    }
    expect(retryAfter(await signIn('203.0.113.201', 'victim@example.com', PASSWORD))).toBe(60);
    // Meanwhile the owner mistyping at home waits for their own counter only.
    for (let i = 0; i < 5; i++) await signIn('198.51.100.1', 'victim@example.com', 'typo!!!!');
    expect(retryAfter(await signIn('198.51.100.1', 'victim@example.com', PASSWORD))).toBe(1);
  });

  it('shares the counters between replicas through PostgreSQL', async () => {
    await account('replicas@example.com');
    const replica = await startUsersService(
      parseEnv(usersEnvSchema, {
        NODE_ENV: 'test',
        DATABASE_URL: users.databaseUrl,
        INTERNAL_SECRET: users.internalSecret,
      }),
      { port: 0, log: createLogger('users', 'silent') },
    );
    try {
      for (let i = 0; i < 3; i++) await signIn('203.0.113.9', 'replicas@example.com', 'wrong!!!');
      for (let i = 0; i < 2; i++)
        await signIn('203.0.113.9', 'replicas@example.com', 'wrong!!!', replica.url);
      expect(code(await signIn('203.0.113.9', 'replicas@example.com', PASSWORD))).toBe('RATE_LIMITED');
      expect(code(await signIn('203.0.113.9', 'replicas@example.com', PASSWORD, replica.url))).toBe(
        'RATE_LIMITED',
      );
    } finally {
      await replica.close();
    }
  });

  it('stores neither e-mails nor addresses readable, and logs no password, token or e-mail', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await startUsersService(
      parseEnv(usersEnvSchema, {
        NODE_ENV: 'test',
        DATABASE_URL: users.databaseUrl,
        INTERNAL_SECRET: users.internalSecret,
      }),
      { port: 0, log: createLogger('users', 'trace', sink) },
    );
    try {
      await account('private@example.com');
      for (let i = 0; i < 7; i++)
        await signIn('198.51.100.77', 'private@example.com', 'secret-guess', logged.url);
      const ok = await signIn('198.51.100.78', 'private@example.com', PASSWORD, logged.url);
      expect(code(ok)).toBe('ok');
      const token = (ok.data as { signIn: { accessToken: string } }).signIn.accessToken;
      const text = lines.join('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of ['private@example.com', 'secret-guess', PASSWORD, token])
        expect(text).not.toContain(secret);
    } finally {
      await logged.close();
    }
    const rows = JSON.stringify(await sql`select * from users.sign_in_throttles`);
    expect(rows).not.toMatch(/@example\.com|198\.51\.100|203\.0\.113/);
  });
});
