import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { rateLimited } from '@marquee/subgraph-kit';
import { CONFIG } from '../tokens.js';
import type { UsersEnv } from '../env.js';
import { addressBucket } from '@marquee/auth';
import { ThrottlesRepository, type Escalation } from './throttles.repository.js';

/**
 * Password guessing is slowed by three counters of failed sign-ins, each with a few free
 * failures and then a delay doubling from 1 s per further failure (defaults; SIGN_IN_* in env.ts):
 *
 * - per account and client address (5 free, up to 15 min): the one a guesser on one address hits,
 *   and the owner who mistyped;
 * - per account from all addresses (20 free, up to 1 min): a guesser spread over many addresses.
 *   Anyone can fail on purpose against anyone's e-mail, so this is the delay an attacker can
 *   impose on a victim: kept short, and skipped for an address the account signed in from in the
 *   last 30 days, so the owner at home is not locked out by an attack from elsewhere;
 * - per client address across accounts (100 free, up to 15 min): credential stuffing, one
 *   password tried on many e-mails. Successes take their attempt back, so a busy office's
 *   address only ever counts its failures.
 *
 * An attempt is counted before the password is checked (and refused while a delay runs, even
 * with the right password: otherwise the throttle would only slow down wrong guesses); a success
 * clears the account's counters; failures drain by one an hour. Counters are keyed by the e-mail
 * as typed (trimmed, lower-cased), not by the account, so an unknown e-mail is counted and
 * answered exactly like an account (no enumeration by the answers or their timing).
 * Keys are an HMAC of what is counted under a key derived from INTERNAL_SECRET (which every
 * replica shares): no e-mail or address is stored readable, nor found again by hashing all 2^32
 * IPv4 addresses. A new INTERNAL_SECRET starts every count afresh.
 */
const ACCOUNT_WIDE_MAX_DELAY_SECONDS = 60;
const TRUST_DAYS = 30;

export interface SignInAttempt {
  pair: string;
  account: string;
  address: string;
}

/** Thrown inside the transaction to roll it back. */
class Refused extends Error {}

@Injectable()
export class ThrottlesService {
  private readonly rules: Record<keyof SignInAttempt, Escalation>;
  private readonly keyKey: Buffer;
  private nextPrune = 0;

  constructor(
    private readonly repository: ThrottlesRepository,
    @Inject(CONFIG) private readonly config: UsersEnv,
  ) {
    this.keyKey = Buffer.from(
      hkdfSync('sha256', config.INTERNAL_SECRET, '', 'marquee/users/throttle-keys', 32),
    );
    const max = config.SIGN_IN_MAX_DELAY_SECONDS;
    this.rules = {
      pair: { freeFailures: config.SIGN_IN_FREE_FAILURES, maxDelaySeconds: max },
      account: {
        freeFailures: config.SIGN_IN_FREE_FAILURES_PER_ACCOUNT,
        maxDelaySeconds: Math.min(ACCOUNT_WIDE_MAX_DELAY_SECONDS, max),
      },
      address: { freeFailures: config.SIGN_IN_FREE_FAILURES_PER_IP, maxDelaySeconds: max },
    };
  }

  /**
   * Counts a sign-in attempt on all three counters, or on none: the first that refuses rolls the
   * others back (waiting for one delay must not grow another). Always taken in the same order,
   * so attempts may queue on a row but never wait on each other in a cycle (no deadlock).
   * RATE_LIMITED when refused.
   */
  async admitSignIn(email: string, clientIp: string): Promise<SignInAttempt> {
    this.pruneNowAndThen();
    const bucket = addressBucket(clientIp);
    const attempt = {
      pair: this.key('p', email, bucket),
      account: this.key('a', email),
      address: this.key('i', bucket),
    };
    try {
      await this.repository.transaction(async (tx) => {
        const pair = await this.repository.take(tx, attempt.pair, this.rules.pair);
        if (!pair) throw new Refused();
        if (!pair.trusted && !(await this.repository.take(tx, attempt.account, this.rules.account)))
          throw new Refused();
        if (!(await this.repository.take(tx, attempt.address, this.rules.address))) throw new Refused();
      });
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      // The wait until every counter that applies lets an attempt through.
      const trusted = await this.repository.trusted(attempt.pair);
      const keys = trusted ? [attempt.pair, attempt.address] : Object.values(attempt);
      throw rateLimited(await this.repository.retryAfter(keys), 'sign-in attempts');
    }
    return attempt;
  }

  /** The password was right: the account's counts start over and the address is remembered. */
  async signInSucceeded(attempt: SignInAttempt): Promise<void> {
    // One row per statement, in the order admitSignIn locks them.
    await this.repository.clear(attempt.pair, TRUST_DAYS);
    await this.repository.clear(attempt.account);
    await this.repository.refund(attempt.address, this.rules.address);
  }

  /** One sign-up from this address, or RATE_LIMITED beyond SIGN_UP_PER_IP_PER_HOUR. */
  async admitSignUp(clientIp: string): Promise<void> {
    this.pruneNowAndThen();
    const { retryAfter } = await this.repository.takeSignUp(
      this.key('u', addressBucket(clientIp)),
      this.config.SIGN_UP_PER_IP_PER_HOUR,
    );
    if (retryAfter !== undefined) throw rateLimited(retryAfter, 'sign-ups from this address');
  }

  private key(kind: string, ...parts: string[]): string {
    return `${kind}:${createHmac('sha256', this.keyKey).update(parts.join('\n')).digest('hex')}`;
  }

  /**
   * At most once a minute per replica, on the back of a request (no timer to stop at shutdown);
   * best effort: a failed prune is simply tried again later.
   */
  private pruneNowAndThen(): void {
    if (Date.now() < this.nextPrune) return;
    this.nextPrune = Date.now() + 60_000;
    this.repository.prune().catch(() => undefined);
  }
}
