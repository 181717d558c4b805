import { createHash } from 'node:crypto';
import { dig, exists, type Case } from '../case.js';
import { PASSWORD } from '../world.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A refresh token's row: rotated or revoked after the call? */
const session = (w: Parameters<Case['prepare']>[0], token: string, column: 'rotated_at' | 'revoked_at') =>
  exists(
    w.sql`select 1 from users.refresh_tokens where token_hash = ${sha256(token)} and ${w.sql(column)} is not null`,
  );

export const usersCases: Record<string, Case> = {
  signUp: {
    async prepare(w) {
      const email = `${w.unique('sign-up')}@example.com`;
      return {
        variables: { input: { email, password: PASSWORD, name: 'Matrix' } },
        value: (d) => dig(d, 'signUp', 'accessToken'),
        written: () => exists(w.sql`select 1 from users.accounts where email = ${email}`),
      };
    },
  },
  signIn: {
    async prepare(w) {
      const count = async () =>
        Number(
          (
            await w.sql`select count(*)::int as n from users.refresh_tokens where user_id = ${w.account.id}`
          )[0]!.n,
        );
      const before = await count();
      return {
        variables: { email: w.account.email, password: PASSWORD },
        value: (d) => dig(d, 'signIn', 'accessToken'),
        written: async () => (await count()) > before,
      };
    },
  },
  refreshSession: {
    async prepare(w) {
      const token = await w.newRefreshToken();
      return {
        variables: { refreshToken: token },
        value: (d) => dig(d, 'refreshSession', 'accessToken'),
        written: () => session(w, token, 'rotated_at'),
      };
    },
  },
  signOut: {
    async prepare(w) {
      const token = await w.newRefreshToken();
      return {
        variables: { refreshToken: token },
        value: (d) => dig(d, 'signOut'),
        written: () => session(w, token, 'revoked_at'),
      };
    },
  },
  grantRole: {
    async prepare(w) {
      const userId = await w.newUser();
      return {
        variables: { userId, role: 'ORGANIZER' },
        value: (d) => dig(d, 'grantRole', 'id'),
        written: () =>
          exists(w.sql`select 1 from users.accounts where id = ${userId} and 'ORGANIZER' = any(roles)`),
      };
    },
  },
  createApiKey: {
    async prepare(w) {
      const name = w.unique('matrix key');
      return {
        variables: { name, rateLimitPerMinute: 60 },
        value: (d) => dig(d, 'createApiKey', 'key'),
        written: () => exists(w.sql`select 1 from users.api_keys where name = ${name}`),
      };
    },
  },
  revokeApiKey: {
    async prepare(w) {
      const id = await w.newApiKey();
      return {
        variables: { id },
        value: (d) => dig(d, 'revokeApiKey'),
        written: () =>
          exists(w.sql`select 1 from users.api_keys where id = ${id} and revoked_at is not null`),
      };
    },
  },
  me: {
    async prepare() {
      return { variables: {}, value: (d) => dig(d, 'me', 'id') };
    },
  },
  'User.email': {
    document: `query($id: ID!) { user(id: $id) { id email } }`,
    async prepare(w) {
      return { variables: { id: w.people.attendee.id }, value: (d) => dig(d, 'user', 'email') };
    },
  },
  apiKeys: {
    async prepare() {
      return { variables: {}, value: (d) => dig(d, 'apiKeys', 0, 'id') };
    },
  },
  activeApiKeyByHash: {
    document: `query($h: String!) { activeApiKeyByHash(keyHash: $h) { id } }`,
    async prepare(w) {
      return {
        variables: { h: sha256(w.partnerKey) },
        value: (d) => dig(d, 'activeApiKeyByHash', 'id'),
      };
    },
  },
};
