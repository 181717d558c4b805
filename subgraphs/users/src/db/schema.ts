import { sql } from 'drizzle-orm';
import {
  doublePrecision,
  index,
  integer,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const users = pgSchema('users');

export const roleEnum = users.enum('role', ['ATTENDEE', 'ORGANIZER', 'ADMIN']);

export const accounts = users.table(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Stored lower-cased; the unique index makes sign-up races a clean CONFLICT.
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    roles: roleEnum('roles')
      .array()
      .notNull()
      .default(sql`'{ATTENDEE}'`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('accounts_email_key').on(t.email)],
);

/**
 * Refresh tokens, stored as SHA-256 hashes. Rotation keeps a family: presenting a token that
 * was already rotated revokes the whole family (a stolen token is then useless to both), unless
 * it comes back within REFRESH_REUSE_GRACE_SECONDS: then it gets the successor it already got.
 */
export const refreshTokens = users.table(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The pair this token was rotated into, AES-256-GCM sealed with a key derived from this
     * token itself (sessions/successor.ts): readable only by whoever presents it again. Set at
     * rotation, cleared once the grace is over.
     */
    successor: text('successor'),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_successor_idx')
      .on(t.rotatedAt)
      .where(sql`successor is not null`),
  ],
);

/**
 * Sign-in failure counters, shared by every users replica (throttles/throttles.service.ts).
 * `key` is a kind and an HMAC of what is counted (the e-mail, the client's address bucket or
 * both), never the e-mail or address itself. `failures` drains by one an hour.
 */
export const signInThrottles = users.table(
  'sign_in_throttles',
  {
    key: text('key').primaryKey(),
    failures: doublePrecision('failures').notNull(),
    blockedUntil: timestamp('blocked_until', { withTimezone: true }),
    /** (account, address) rows: this address signed in to this account lately. */
    trustedUntil: timestamp('trusted_until', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sign_in_throttles_last_attempt_idx').on(t.lastAttemptAt)],
);

/** Sign-ups per client address bucket (an HMAC of it) in the hour since `started_at`. */
export const signUpWindows = users.table(
  'sign_up_windows',
  {
    key: text('key').primaryKey(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('sign_up_windows_started_idx').on(t.startedAt)],
);

export const apiKeys = users.table(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    rateLimitPerMinute: integer('rate_limit_per_minute').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => accounts.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_hash_key').on(t.keyHash)],
);
