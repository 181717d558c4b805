import { Inject, Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import { anyUuid } from '@marquee/db';
import type { Role } from '@marquee/auth';
import { DB } from '../tokens.js';
import { schema, type UsersDatabase } from '../db/database.js';

export type Account = typeof schema.accounts.$inferSelect;

@Injectable()
export class UsersRepository {
  /** Built once: the loaders' hottest read skips query building too. */
  private readonly byIds;

  constructor(@Inject(DB) private readonly database: UsersDatabase) {
    this.byIds = database.db
      .select()
      .from(schema.accounts)
      .where(anyUuid(schema.accounts.id, sql.placeholder('ids')))
      .prepare('users.by-ids');
  }

  findByIds(ids: readonly string[]): Promise<Account[]> {
    return this.byIds.execute({ ids: [...ids] });
  }

  async findByEmail(email: string): Promise<Account | undefined> {
    const [row] = await this.database.db
      .select()
      .from(schema.accounts)
      .where(eq(schema.accounts.email, email));
    return row;
  }

  /** Undefined when the e-mail is taken (the unique index decides, so races are safe). */
  async insert(values: { email: string; name: string; passwordHash: string; roles?: Role[] }) {
    const [row] = await this.database.db
      .insert(schema.accounts)
      .values(values)
      .onConflictDoNothing()
      .returning();
    return row;
  }

  async addRole(id: string, role: Role): Promise<Account | undefined> {
    const [row] = await this.database.db
      .update(schema.accounts)
      .set({
        roles: sql`(select array_agg(distinct r order by r) from unnest(array_append(${schema.accounts.roles}, ${role}::users.role)) r)`,
      })
      .where(eq(schema.accounts.id, id))
      .returning();
    return row;
  }
}
