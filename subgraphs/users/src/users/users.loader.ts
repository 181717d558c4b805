import DataLoader from 'dataloader';
import type { Account, UsersRepository } from './users.repository.js';

/** One query for every User reference in a request, whatever the gateway asks for. */
export function createUserLoader(repository: UsersRepository) {
  return new DataLoader<string, Account | null>(async (ids) => {
    const rows = await repository.findByIds(ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export type UserLoader = ReturnType<typeof createUserLoader>;
