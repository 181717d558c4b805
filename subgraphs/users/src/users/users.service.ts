import { Injectable } from '@nestjs/common';
import { isAdmin, ROLES, type Caller, type Role } from '@marquee/auth';
import { badInput, isId, notFound } from '@marquee/subgraph-kit';
import { requireAdmin } from '../access.js';
import type { UsersContext } from '../context.js';
import { UsersRepository, type Account } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(private readonly repository: UsersRepository) {}

  async me({ caller, loaders }: UsersContext): Promise<Account | null> {
    if (!caller.user) return null;
    return loaders.user.load(caller.user.id);
  }

  /** Public profile; unknown or malformed ids are simply absent. */
  async byId({ loaders }: UsersContext, id: string): Promise<Account | null> {
    if (!isId(id)) return null;
    return loaders.user.load(id);
  }

  /**
   * E-mail addresses are private: the user themself or an ADMIN. An AuthPayload's user is
   * the caller themself even though the request carried no token yet.
   */
  emailFor(caller: Caller, account: Account & { ownSession?: boolean }): string | null {
    if (account.ownSession || caller.user?.id === account.id || isAdmin(caller)) return account.email;
    return null;
  }

  async grantRole(caller: Caller, userId: string, role: Role): Promise<Account> {
    requireAdmin(caller, 'Only an ADMIN can grant roles');
    if (!ROLES.includes(role)) throw badInput('Unknown role', 'role');
    if (!isId(userId)) throw notFound('User');
    const updated = await this.repository.addRole(userId, role);
    if (!updated) throw notFound('User');
    return updated;
  }
}
