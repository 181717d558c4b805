import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { badInput, conflict, unauthenticated } from '@marquee/subgraph-kit';
import { z } from 'zod';
import { CONFIG } from '../tokens.js';
import type { UsersEnv } from '../env.js';
import { UsersRepository, type Account } from '../users/users.repository.js';
import { dummyHash, hashPassword, passwordMatches } from './passwords.js';
import { SessionsRepository } from './sessions.repository.js';
import { SigningKeys } from './signing-keys.js';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  user: Account & { ownSession: true };
}

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
});

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class SessionsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly keys: SigningKeys,
    @Inject(CONFIG) private readonly config: UsersEnv,
  ) {}

  async signUp(input: { email: string; password: string; name: string }): Promise<AuthPayload> {
    const parsed = SignUp.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badInput(issue.message, String(issue.path[0] ?? 'input'));
    }
    const { email, password, name } = parsed.data;
    const account = await this.users.insert({ email, name, passwordHash: await hashPassword(password) });
    if (!account) throw conflict('An account with this e-mail already exists', { field: 'email' });
    return this.startSession(account);
  }

  async signIn(email: string, password: string): Promise<AuthPayload> {
    const account = await this.users.findByEmail(email.trim().toLowerCase());
    const ok = await passwordMatches(account?.passwordHash ?? (await dummyHash()), password);
    if (!account || !ok) throw unauthenticated('Wrong e-mail or password');
    return this.startSession(account);
  }

  async refresh(refreshToken: string): Promise<AuthPayload> {
    const outcome = await this.sessions.transaction(async (tx) => {
      const row = await this.sessions.findByHash(tx, hashToken(refreshToken));
      if (!row || row.revokedAt || row.expiresAt <= new Date()) return { kind: 'invalid' as const };
      if (!(await this.sessions.markRotated(tx, row.id)))
        return { kind: 'replayed' as const, familyId: row.familyId };
      const [account] = await this.users.findByIds([row.userId]);
      if (!account) return { kind: 'invalid' as const };
      const token = await this.newRefreshToken(tx, account.id, row.familyId);
      return { kind: 'ok' as const, account, token };
    });
    if (outcome.kind === 'replayed') {
      // A rotated token came back: someone holds a copy. End every session of that login.
      await this.sessions.revokeFamily(outcome.familyId);
    }
    if (outcome.kind !== 'ok') throw unauthenticated('Refresh token is invalid, expired or already used');
    return {
      accessToken: await this.keys.accessToken(outcome.account, this.config.ACCESS_TOKEN_TTL_SECONDS),
      refreshToken: outcome.token,
      user: { ...outcome.account, ownSession: true },
    };
  }

  signOut(refreshToken: string): Promise<boolean> {
    return this.sessions.revokeLive(hashToken(refreshToken));
  }

  private async startSession(account: Account): Promise<AuthPayload> {
    const refreshToken = await this.sessions.transaction((tx) =>
      this.newRefreshToken(tx, account.id, randomUUID()),
    );
    return {
      accessToken: await this.keys.accessToken(account, this.config.ACCESS_TOKEN_TTL_SECONDS),
      refreshToken,
      user: { ...account, ownSession: true },
    };
  }

  private async newRefreshToken(
    tx: Parameters<Parameters<SessionsRepository['transaction']>[0]>[0],
    userId: string,
    familyId: string,
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    await this.sessions.insert(tx, { userId, familyId, tokenHash: hashToken(token), expiresAt });
    return token;
  }
}
