import type { Role } from '@marquee/auth';
import { createDatabase } from '@marquee/db';
import { schema } from '../db/database.js';
import { hashPassword } from '../sessions/passwords.js';

/** Demo mode only (never in production): the accounts API.md lists. */
export const DEMO_ACCOUNTS: { email: string; password: string; name: string; roles: Role[] }[] = [
  {
    email: 'admin@marquee.test',
    password: 'marquee-admin',
    name: 'Ada Admin',
    roles: ['ATTENDEE', 'ORGANIZER', 'ADMIN'],
  },
  {
    email: 'organizer@marquee.test',
    password: 'marquee-organizer',
    name: 'Olga Organizer',
    roles: ['ATTENDEE', 'ORGANIZER'],
  },
  {
    email: 'attendee@marquee.test',
    password: 'marquee-attendee',
    name: 'Arne Attendee',
    roles: ['ATTENDEE'],
  },
];

export async function seedDemoAccounts(databaseUrl: string, nodeEnv: string): Promise<void> {
  if (nodeEnv === 'production') throw new Error('Demo accounts are never created in production');
  const database = createDatabase({ url: databaseUrl, schema, max: 1 });
  try {
    for (const account of DEMO_ACCOUNTS) {
      await database.db
        .insert(schema.accounts)
        .values({
          email: account.email,
          name: account.name,
          roles: account.roles,
          passwordHash: await hashPassword(account.password),
        })
        .onConflictDoNothing();
    }
  } finally {
    await database.close();
  }
}
