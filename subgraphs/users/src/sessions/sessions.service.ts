import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { badInput, conflict, unauthenticated } from '@marquee/subgraph-kit';
import { z } from 'zod';
import { CONFIG } from '../tokens.js';
import type { UsersEnv } from '../env.js';
import type { SignUpInput } from '../generated/resolvers.js';
import { ThrottlesService } from '../throttles/throttles.service.js';
import { UsersRepository, type Account } from '../users/users.repository.js';
import { dummyHash, hashPassword, passwordMatches } from './passwords.js';
import { SessionsRepository, type RefreshTokenRow } from './sessions.repository.js';
import { SigningKeys } from './signing-keys.js';
import { openSuccessor, sealSuccessor, type TokenPair } from './successor.js';

export interface AuthPayload extends TokenPair {
  user: Account & { ownSession: true };
}

/** Checks and normalises SignUpInput; `satisfies` keeps it in step with the SDL. */
const SignUp = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: 'Enter a valid e-mail address' }).max(254)),
  password: z
    .string()
    .min(8, 'Password must be at least 8 characters')
    .max(1024, 'Password must be at most 1024 characters'),
  name: z.string().trim().min(1, 'Name is required').max(100, 'Name must be at most 100 characters'),
}) satisfies z.ZodType<SignUpInput>;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const invalidRefresh = () => unauthenticated('Refresh token is invalid, expired or already used');

@Injectable()
export class SessionsService {
  private nextSweep = 0;

  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly throttles: ThrottlesService,
    private readonly keys: SigningKeys,
    @Inject(CONFIG) private readonly config: UsersEnv,
  ) {}

  /** Open to anyone, but only so many accounts an hour from one client address. */
  async signUp(input: SignUpInput, clientIp: string): Promise<AuthPayload> {
    const parsed = SignUp.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badInput(issue.message, String(issue.path[0] ?? 'input'));
    }
    // Before the slow hash; a taken e-mail counts too (sign-up would otherwise probe for accounts).
    await this.throttles.admitSignUp(clientIp);
    const { email, password, name } = parsed.data;
    const account = await this.users.insert({ email, name, passwordHash: await hashPassword(password) });
    if (!account) throw conflict('An account with this e-mail already exists', { field: 'email' });
    return this.startSession(account);
  }

  /** Open to anyone, throttled before anything else (see throttles/throttles.service.ts). */
  async signIn(email: string, password: string, clientIp: string): Promise<AuthPayload> {
    const normalized = email.trim().toLowerCase();
    const attempt = await this.throttles.admitSignIn(normalized, clientIp);
    const account = await this.users.findByEmail(normalized);
    const ok = await passwordMatches(account?.passwordHash ?? (await dummyHash()), password);
    if (!account || !ok) throw unauthenticated('Wrong e-mail or password');
    await this.throttles.signInSucceeded(attempt);
    return this.startSession(account);
  }

  /**
   * Rotates a refresh token. Presented again within REFRESH_REUSE_GRACE_SECONDS of its rotation
   * (two tabs refreshing at once, a retry after a lost answer) it gets the very pair the first
   * presentation got; after that, a copy is in other hands and the whole login ends.
   */
  async refresh(refreshToken: string): Promise<AuthPayload> {
    this.sweepNowAndThen();
    const tokenHash = hashToken(refreshToken);
    const row = await this.sessions.findByHash(tokenHash);
    if (!row || row.revokedAt || row.expiresAt <= new Date()) throw invalidRefresh();
    if (!row.rotatedAt) {
      const [account] = await this.users.findByIds([row.userId]);
      if (!account) throw invalidRefresh();
      const pair = {
        accessToken: await this.keys.accessToken(account, this.config.ACCESS_TOKEN_TTL_SECONDS),
        refreshToken: randomBytes(32).toString('base64url'),
      };
      const sealed = sealSuccessor(refreshToken, row.id, pair);
      const next = this.newToken(account.id, row.familyId, pair.refreshToken);
      if (await this.sessions.rotate(row.id, sealed, next))
        return { ...pair, user: { ...account, ownSession: true } };
      // Another request rotated it first: it committed before we read again.
    }
    return this.reuse(refreshToken, tokenHash);
  }

  signOut(refreshToken: string): Promise<boolean> {
    return this.sessions.revokeLive(hashToken(refreshToken));
  }

  /** A rotated token again: the same successor within the grace, else the end of the login. */
  private async reuse(refreshToken: string, tokenHash: string): Promise<AuthPayload> {
    const row = await this.sessions.findByHash(tokenHash, this.config.REFRESH_REUSE_GRACE_SECONDS);
    if (!row || row.revokedAt || !row.rotatedAt) throw invalidRefresh();
    const pair =
      row.withinGrace && row.successor ? openSuccessor(refreshToken, row.id, row.successor) : undefined;
    if (!pair) return this.replayed(row);
    // Not a way around signOut: a successor that was ended since stays ended.
    const successor = await this.sessions.findByHash(hashToken(pair.refreshToken));
    if (!successor || successor.revokedAt) throw invalidRefresh();
    const [account] = await this.users.findByIds([row.userId]);
    if (!account) throw invalidRefresh();
    return { ...pair, user: { ...account, ownSession: true } };
  }

  /** Someone holds a copy of a rotated token: end every session of that login. */
  private async replayed(row: RefreshTokenRow): Promise<never> {
    await this.sessions.revokeFamily(row.familyId);
    throw invalidRefresh();
  }

  private async startSession(account: Account): Promise<AuthPayload> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.sessions.insert(this.newToken(account.id, randomUUID(), refreshToken));
    return {
      accessToken: await this.keys.accessToken(account, this.config.ACCESS_TOKEN_TTL_SECONDS),
      refreshToken,
      user: { ...account, ownSession: true },
    };
  }

  private newToken(userId: string, familyId: string, token: string) {
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    return { userId, familyId, tokenHash: hashToken(token), expiresAt };
  }

  /** Sealed successors past the grace are dropped at most once a minute per replica (best effort). */
  private sweepNowAndThen(): void {
    if (Date.now() < this.nextSweep) return;
    this.nextSweep = Date.now() + 60_000;
    this.sessions.forgetSuccessors(this.config.REFRESH_REUSE_GRACE_SECONDS).catch(() => undefined);
  }
}
