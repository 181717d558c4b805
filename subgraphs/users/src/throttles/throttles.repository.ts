import { Inject, Injectable } from '@nestjs/common';
import { sql, type SQL } from 'drizzle-orm';
import { DB } from '../tokens.js';
import { schema, type UsersDatabase, type UsersDb } from '../db/database.js';

export type ThrottleTx = Parameters<Parameters<UsersDb['transaction']>[0]>[0];

/** How one kind of sign-in counter escalates once its free failures are used up. */
export interface Escalation {
  freeFailures: number;
  maxDelaySeconds: number;
}

const throttles = schema.signInThrottles;
const windows = schema.signUpWindows;

/** Failures drain by one an hour (continuously): an old typo is forgotten, a steady attack is not. */
const counted = sql`greatest(t.failures - extract(epoch from now() - t.last_attempt_at) / 3600, 0) + 1`;

/** The delay after the `n`th counted attempt: none before `freeFailures`, then 1 s doubling, capped. */
function delayAfter(n: SQL, rule: Escalation): SQL {
  const over = sql`ceil(${n}) - ${rule.freeFailures}::int`;
  return sql`case when ${over} >= 0
    then now() + make_interval(secs => least(power(2, least(${over}, 30)), ${rule.maxDelaySeconds}::float8))
  end`;
}

const secondsUntil = (at: SQL) => sql`greatest(ceil(extract(epoch from ${at} - now())), 1)::int`;

/**
 * The sign-in counters and sign-up windows. Every decision is one conditional statement on one
 * row, so concurrent requests on any replica queue on that row's lock and each sees what the one
 * before it left: 50 parallel guesses cannot all read "no failures yet".
 */
@Injectable()
export class ThrottlesRepository {
  constructor(@Inject(DB) private readonly database: UsersDatabase) {}

  transaction<T>(work: (tx: ThrottleTx) => Promise<T>): Promise<T> {
    return this.database.db.transaction(work);
  }

  /**
   * Counts an attempt against `key` (before its outcome is known: a guess must not get through
   * while the one before it is still being checked), unless a delay is running. Undefined when
   * refused; `trusted` when the key's address signed in to its account lately.
   */
  async take(tx: ThrottleTx, key: string, rule: Escalation): Promise<{ trusted: boolean } | undefined> {
    const rows = await tx.execute<{ trusted: boolean }>(sql`
      insert into ${throttles} as t (key, failures, blocked_until, last_attempt_at)
      values (${key}, 1, ${delayAfter(sql`1::float8`, rule)}, now())
      on conflict (key) do update
        set failures = ${counted}, blocked_until = ${delayAfter(counted, rule)}, last_attempt_at = now()
        where t.blocked_until is null or t.blocked_until <= now()
      returning coalesce(t.trusted_until > now(), false) as trusted`);
    return rows[0];
  }

  /** Whether the (account, address) counter `key` belongs to an address the account signed in from. */
  async trusted(key: string): Promise<boolean> {
    const rows = await this.database.db.execute<{ trusted: boolean }>(sql`
      select trusted_until > now() as trusted from ${throttles} where key = ${key}`);
    return rows[0]?.trusted === true;
  }

  /** Whole seconds until none of `keys` holds an attempt back (at least 1). */
  async retryAfter(keys: string[]): Promise<number> {
    const rows = await this.database.db.execute<{ s: number | null }>(sql`
      select ${secondsUntil(sql`max(blocked_until)`)} as s from ${throttles}
      where key in (${sql.join(
        keys.map((key) => sql`${key}`),
        sql`, `,
      )})`);
    return rows[0]?.s ?? 1;
  }

  /** A success: the count starts over; `trust` remembers the address for the account-wide count. */
  async clear(key: string, trustDays?: number): Promise<void> {
    const trusted = trustDays ? sql`now() + make_interval(days => ${trustDays}::int)` : sql`trusted_until`;
    await this.database.db.execute(sql`
      update ${throttles} set failures = 0, blocked_until = null, trusted_until = ${trusted}
      where key = ${key}`);
  }

  /** A success takes its own attempt back from a shared count (an office's address). */
  async refund(key: string, rule: Escalation): Promise<void> {
    await this.database.db.execute(sql`
      update ${throttles}
      set failures = greatest(failures - 1, 0),
          blocked_until = case when ceil(greatest(failures - 1, 0)) >= ${rule.freeFailures}::int then blocked_until end
      where key = ${key}`);
  }

  /**
   * One sign-up in `key`'s hour, unless `limit` are already in it; the window starts with the
   * first sign-up after the last one ended. Seconds until the window ends when refused.
   */
  async takeSignUp(key: string, limit: number): Promise<{ retryAfter?: number }> {
    const ended = sql`w.started_at <= now() - interval '1 hour'`;
    const rows = await this.database.db.execute<{ count: number }>(sql`
      insert into ${windows} as w (key, started_at, count) values (${key}, now(), 1)
      on conflict (key) do update
        set count = case when ${ended} then 1 else w.count + 1 end,
            started_at = case when ${ended} then now() else w.started_at end
        where ${ended} or w.count < ${limit}::int
      returning count`);
    if (rows.length > 0) return {};
    const wait = await this.database.db.execute<{ s: number }>(sql`
      select ${secondsUntil(sql`started_at + interval '1 hour'`)} as s from ${windows} where key = ${key}`);
    return { retryAfter: wait[0]?.s ?? 1 };
  }

  /** Forgets what no longer counts: drained counters, past trust, ended windows. Bounded per call. */
  async prune(batch = 1000): Promise<void> {
    await this.database.db.execute(sql`
      delete from ${throttles} where key in (
        select key from ${throttles}
        where last_attempt_at < now() - interval '1 hour'
          and last_attempt_at < now() - failures * interval '1 hour'
          and (blocked_until is null or blocked_until < now())
          and (trusted_until is null or trusted_until < now())
        limit ${batch})`);
    await this.database.db.execute(sql`
      delete from ${windows} where key in (
        select key from ${windows} where started_at < now() - interval '1 hour' limit ${batch})`);
  }
}
