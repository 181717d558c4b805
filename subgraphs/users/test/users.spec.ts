import { createTestIssuer } from '@marquee/auth/testing';
import { errorCodes, graphql } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoAccounts } from '../src/demo/seed.js';
import { startUsers } from './harness.js';

type Auth = {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; roles: string[] };
};

let users: Awaited<ReturnType<typeof startUsers>>;
beforeAll(async () => {
  users = await startUsers();
  await seedDemoAccounts(users.databaseUrl, 'test');
});
afterAll(() => users.stop());

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken user { id email roles name createdAt } } }`;
const SIGN_IN = `mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { accessToken refreshToken user { id email roles } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken user { id } } }`;

async function signUp(email: string, password = 'correct horse', name = 'Someone') {
  const res = await users.call<{ signUp: Auth }>(SIGN_UP, { input: { email, password, name } });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}
async function signIn(email: string, password: string) {
  const res = await users.call<{ signIn: Auth }>(SIGN_IN, { email, password });
  expect(res.errors).toBeUndefined();
  return res.data!.signIn;
}

describe('sign-up and sign-in', () => {
  it('creates an ATTENDEE with a hashed password and signs them in', async () => {
    const auth = await signUp('New.Person@Example.com');
    expect(auth.user.roles).toEqual(['ATTENDEE']);
    expect(auth.user.email).toBe('new.person@example.com');
    const again = await signIn('new.person@example.com', 'correct horse');
    expect(again.user.id).toBe(auth.user.id);
    const sql = postgres(users.databaseUrl, { max: 1 });
    const [row] = await sql`select password_hash from users.accounts where id = ${auth.user.id}`;
    await sql.end();
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(row!.password_hash).not.toContain('correct horse');
  });

  it('refuses bad input with BAD_USER_INPUT and writes nothing', async () => {
    const bad = [
      { email: 'not-an-email', password: 'long enough', name: 'X' },
      { email: 'short@example.com', password: 'short', name: 'X' },
      { email: 'noname@example.com', password: 'long enough', name: '   ' },
    ];
    for (const input of bad) {
      const res = await users.call(SIGN_UP, { input });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(res)).not.toMatch(/stack|select|insert/i);
    }
    const sql = postgres(users.databaseUrl, { max: 1 });
    const rows =
      await sql`select 1 from users.accounts where email in ('not-an-email', 'short@example.com', 'noname@example.com')`;
    await sql.end();
    expect(rows).toHaveLength(0);
  });

  it('makes a taken e-mail a CONFLICT, even when two sign-ups race', async () => {
    const input = { email: 'race@example.com', password: 'long enough', name: 'Racer' };
    const results = await Promise.all([users.call(SIGN_UP, { input }), users.call(SIGN_UP, { input })]);
    expect(results.map(errorCodes).flat().sort()).toEqual(['CONFLICT']);
  });

  it('rejects a wrong password or unknown e-mail the same way', async () => {
    const wrong = await users.call(SIGN_IN, { email: 'attendee@marquee.test', password: 'nope-nope' });
    const unknown = await users.call(SIGN_IN, { email: 'ghost@marquee.test', password: 'nope-nope' });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);
  });
});

describe('sessions', () => {
  it('rotates refresh tokens: the old one stops working', async () => {
    const first = await signUp('rotate@example.com');
    const second = await users.call<{ refreshSession: Auth }>(REFRESH, { t: first.refreshToken });
    expect(second.errors).toBeUndefined();
    expect(second.data!.refreshSession.refreshToken).not.toBe(first.refreshToken);
    // Within the reuse grace it only gets the same successor again (test/refresh-reuse.spec.ts)...
    const again = await users.call<{ refreshSession: Auth }>(REFRESH, { t: first.refreshToken });
    expect(again.data).toEqual(second.data);
    // ...after it, it is a replay.
    const sql = postgres(users.databaseUrl, { max: 1 });
    await sql`update users.refresh_tokens set rotated_at = rotated_at - interval '1 minute' where rotated_at is not null`;
    await sql.end();
    const replay = await users.call(REFRESH, { t: first.refreshToken });
    expect(errorCodes(replay)).toEqual(['UNAUTHENTICATED']);
    // A replay of a rotated token ends the whole session family, including the newest token.
    const afterReplay = await users.call(REFRESH, { t: second.data!.refreshSession.refreshToken });
    expect(errorCodes(afterReplay)).toEqual(['UNAUTHENTICATED']);
  });

  it('signs out: the refresh token is dead, a second sign-out returns false', async () => {
    const auth = await signUp('leaver@example.com');
    const SIGN_OUT = `mutation($t: String!) { signOut(refreshToken: $t) }`;
    expect((await users.call(SIGN_OUT, { t: auth.refreshToken })).data).toEqual({ signOut: true });
    expect((await users.call(SIGN_OUT, { t: auth.refreshToken })).data).toEqual({ signOut: false });
    expect(errorCodes(await users.call(REFRESH, { t: auth.refreshToken }))).toEqual(['UNAUTHENTICATED']);
  });

  it('stores refresh tokens hashed', async () => {
    const auth = await signUp('hashed@example.com');
    const sql = postgres(users.databaseUrl, { max: 1 });
    const rows =
      await sql`select token_hash from users.refresh_tokens where token_hash = ${auth.refreshToken}`;
    await sql.end();
    expect(rows).toHaveLength(0);
  });
});

describe('me, user and roles', () => {
  it('shows the e-mail only to the user themself or an ADMIN', async () => {
    const alice = await signUp('alice@example.com');
    const bob = await signUp('bob@example.com');
    const admin = await signIn('admin@marquee.test', 'marquee-admin');
    const q = `query($id: ID!) { user(id: $id) { id name email } }`;
    expect((await users.call(q, { id: alice.user.id }, alice.accessToken)).data).toMatchObject({
      user: { email: 'alice@example.com' },
    });
    expect((await users.call(q, { id: alice.user.id }, bob.accessToken)).data).toMatchObject({
      user: { email: null },
    });
    expect((await users.call(q, { id: alice.user.id })).data).toMatchObject({ user: { email: null } });
    expect((await users.call(q, { id: alice.user.id }, admin.accessToken)).data).toMatchObject({
      user: { email: 'alice@example.com' },
    });
    const me = await users.call(`{ me { id email } }`, {}, alice.accessToken);
    expect(me.data).toEqual({ me: { id: alice.user.id, email: 'alice@example.com' } });
    expect((await users.call(`{ me { id } }`)).data).toEqual({ me: null });
  });

  it('returns null for unknown or malformed ids', async () => {
    const q = `query($id: ID!) { user(id: $id) { id } }`;
    expect((await users.call(q, { id: 'not-a-uuid' })).data).toEqual({ user: null });
    expect((await users.call(q, { id: '00000000-0000-4000-8000-000000000000' })).data).toEqual({
      user: null,
    });
  });

  it('lets only an ADMIN grant roles, and the next token carries them', async () => {
    const carol = await signUp('carol@example.com');
    const admin = await signIn('admin@marquee.test', 'marquee-admin');
    const GRANT = `mutation($u: ID!, $r: Role!) { grantRole(userId: $u, role: $r) { id roles } }`;
    expect(errorCodes(await users.call(GRANT, { u: carol.user.id, r: 'ADMIN' }, carol.accessToken))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await users.call(GRANT, { u: carol.user.id, r: 'ADMIN' }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(errorCodes(await users.call(GRANT, { u: carol.user.id, r: 'ROOT' }, admin.accessToken))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      errorCodes(
        await users.call(
          GRANT,
          { u: '00000000-0000-4000-8000-000000000000', r: 'ORGANIZER' },
          admin.accessToken,
        ),
      ),
    ).toEqual(['NOT_FOUND']);
    const granted = await users.call(GRANT, { u: carol.user.id, r: 'ORGANIZER' }, admin.accessToken);
    expect(granted.data).toEqual({ grantRole: { id: carol.user.id, roles: ['ATTENDEE', 'ORGANIZER'] } });
    const again = await users.call(GRANT, { u: carol.user.id, r: 'ORGANIZER' }, admin.accessToken);
    expect(again.data).toEqual(granted.data);
    const refreshed = await users.call<{ refreshSession: Auth }>(REFRESH, { t: carol.refreshToken });
    const payload = JSON.parse(
      Buffer.from(refreshed.data!.refreshSession.accessToken.split('.')[1]!, 'base64url').toString(),
    );
    expect(payload.roles).toEqual(['ATTENDEE', 'ORGANIZER']);
  });

  it('resolves User references in one batch for the gateway', async () => {
    const a = await signUp('ref-a@example.com');
    const b = await signUp('ref-b@example.com');
    const res = await users.call(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name email } } }`,
      {
        r: [
          { __typename: 'User', id: a.user.id },
          { __typename: 'User', id: b.user.id },
          { __typename: 'User', id: 'x' },
        ],
      },
    );
    expect(res.data).toEqual({
      _entities: [
        { id: a.user.id, name: 'Someone', email: null },
        { id: b.user.id, name: 'Someone', email: null },
        null,
      ],
    });
  });
});

describe('API keys', () => {
  it('lets an ADMIN create, list and revoke keys; shows the key once and stores a hash', async () => {
    const admin = await signIn('admin@marquee.test', 'marquee-admin');
    const attendee = await signIn('attendee@marquee.test', 'marquee-attendee');
    const CREATE = `mutation($n: String!, $r: Int) { createApiKey(name: $n, rateLimitPerMinute: $r) { key apiKey { id name rateLimitPerMinute createdAt lastUsedAt revokedAt } } }`;
    expect(errorCodes(await users.call(CREATE, { n: 'Partner' }, attendee.accessToken))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await users.call(CREATE, { n: 'Partner' }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await users.call(CREATE, { n: 'Partner', r: 0 }, admin.accessToken))).toEqual([
      'BAD_USER_INPUT',
    ]);
    const created = await users.call<{
      createApiKey: { key: string; apiKey: { id: string; rateLimitPerMinute: number; revokedAt: null } };
    }>(CREATE, { n: 'Partner' }, admin.accessToken);
    const { key, apiKey } = created.data!.createApiKey;
    expect(key).toMatch(/^mq_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.rateLimitPerMinute).toBe(600);
    const sql = postgres(users.databaseUrl, { max: 1 });
    const stored = await sql`select key_hash from users.api_keys where id = ${apiKey.id}`;
    await sql.end();
    expect(stored[0]!.key_hash).not.toContain(key);
    const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) }`;
    expect(errorCodes(await users.call(REVOKE, { id: apiKey.id }, attendee.accessToken))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await users.call(REVOKE, { id: apiKey.id }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await users.call(`{ apiKeys { id } }`))).toEqual(['UNAUTHENTICATED']);
    expect((await users.call(REVOKE, { id: apiKey.id }, admin.accessToken)).data).toEqual({
      revokeApiKey: true,
    });
    expect(errorCodes(await users.call(REVOKE, { id: 'nope' }, admin.accessToken))).toEqual(['NOT_FOUND']);
    const listed = await users.call<{ apiKeys: { id: string; revokedAt: string | null }[] }>(
      `{ apiKeys { id revokedAt } }`,
      {},
      admin.accessToken,
    );
    expect(listed.data!.apiKeys.find((k) => k.id === apiKey.id)?.revokedAt).toMatch(/Z$/);
  });
});

describe('the walls', () => {
  it('refuses calls without the internal credential', async () => {
    const res = await graphql(
      users.url,
      `
        {
          me {
            id
          }
        }
      `,
    );
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses forged and expired tokens', async () => {
    const forger = await createTestIssuer();
    const auth = await signUp('victim@example.com');
    const forged = await forger.token(auth.user.id, ['ADMIN']);
    expect(errorCodes(await users.call(`{ me { id } }`, {}, forged))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await users.call(`{ me { id } }`, {}, 'garbage.token.here'))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('publishes its public key as a JWKS', async () => {
    const res = await fetch(users.url.replace('/graphql', '/.well-known/jwks.json'));
    const body = (await res.json()) as { keys: { kty: string; crv: string; d?: string }[] };
    expect(body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(body.keys[0]!.d).toBeUndefined();
  });
});
