import { generateKeyPairSync } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { createTestIssuer } from '@marquee/auth/testing';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@marquee/auth';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestStack, type TestStack } from './harness.js';

// A known signing key, so the test can mint an expired token the services would otherwise accept.
const { privateKey } = generateKeyPairSync('ed25519');
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ JWT_PRIVATE_KEY: pem });
});
afterAll(() => stack?.stop());

describe('accounts through the gateway', () => {
  it('signs up, reads me, refreshes (rotating) and signs out', async () => {
    const auth = await stack.signUp('gw-user@example.com', 'Gateway User');
    const me = await stack.call(`{ me { id name email roles createdAt } }`, {}, auth.token);
    expect(me.data).toMatchObject({
      me: { id: auth.userId, name: 'Gateway User', email: 'gw-user@example.com', roles: ['ATTENDEE'] },
    });
    expect((me.data as { me: { createdAt: string } }).me.createdAt).toMatch(/Z$/);
    const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
    const refreshed = await stack.call<{ refreshSession: { refreshToken: string } }>(REFRESH, {
      t: auth.refreshToken,
    });
    expect(refreshed.errors).toBeUndefined();
    const out = await stack.call(`mutation($t: String!) { signOut(refreshToken: $t) }`, {
      t: refreshed.data!.refreshSession.refreshToken,
    });
    expect(out.data).toEqual({ signOut: true });
    // The first token was rotated away, the second signed out: neither refreshes any more.
    expect(errorCodes(await stack.call(REFRESH, { t: auth.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await stack.call(REFRESH, { t: refreshed.data!.refreshSession.refreshToken }))).toEqual(
      ['UNAUTHENTICATED'],
    );
    expect((await stack.call(`{ me { id } }`)).data).toEqual({ me: null });
  });

  it('gives the API codes for bad input and writes nothing', async () => {
    const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`;
    const invalidEmail = await stack.call(SIGN_UP, {
      i: { email: 'nope', password: 'long enough', name: 'N' },
    });
    const shortPassword = await stack.call(SIGN_UP, {
      i: { email: 'short@example.com', password: '1234567', name: 'N' },
    });
    expect(errorCodes(invalidEmail)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(shortPassword)).toEqual(['BAD_USER_INPUT']);
    for (const res of [invalidEmail, shortPassword])
      expect(JSON.stringify(res)).not.toMatch(/stack|at .*\.ts|select |insert /i);
    const sql = postgres(stack.databaseUrl, { max: 1 });
    const rows = await sql`select 1 from users.accounts where email in ('nope', 'short@example.com')`;
    await sql.end();
    expect(rows).toHaveLength(0);
  });

  it('refuses forged and expired tokens at the gateway, before any subgraph', async () => {
    const forger = await createTestIssuer();
    const victim = await stack.signUp('victim@example.com');
    const forged = await forger.token(victim.userId, ['ADMIN']);
    const res = await stack.call(`{ me { id } }`, {}, forged);
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);

    const expired = await new SignJWT({ roles: ['ATTENDEE'] })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(victim.userId)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(await importPKCS8(pem, 'EdDSA'));
    const expiredRes = await stack.call(`{ me { id } }`, {}, expired);
    expect(errorCodes(expiredRes)).toEqual(['UNAUTHENTICATED']);
    expect(expiredRes.errors![0]!.message).toMatch(/expired/i);
    expect(errorCodes(await stack.call(`{ me { id } }`, {}, 'not-a-jwt'))).toEqual(['UNAUTHENTICATED']);
  });

  it('lets an ADMIN grant roles, nobody else', async () => {
    const admin = await stack.signIn(ADMIN.email, ADMIN.password);
    const user = await stack.signUp('promote@example.com');
    const GRANT = `mutation($u: ID!, $r: Role!) { grantRole(userId: $u, role: $r) { id roles } }`;
    expect(errorCodes(await stack.call(GRANT, { u: user.userId, r: 'ORGANIZER' }, user.token))).toEqual([
      'FORBIDDEN',
    ]);
    const granted = await stack.call(GRANT, { u: user.userId, r: 'ORGANIZER' }, admin.token);
    expect(granted.data).toEqual({ grantRole: { id: user.userId, roles: ['ATTENDEE', 'ORGANIZER'] } });
    expect(errorCodes(await stack.call(GRANT, { u: 'nope', r: 'ORGANIZER' }, admin.token))).toEqual([
      'NOT_FOUND',
    ]);
  });
});
