import { badInput } from './errors.js';

export const MAX_PAGE_SIZE = 100;

export interface PageRequest<C> {
  /** Rows to return; fetch one more to learn whether another page exists. */
  limit: number;
  after: C | undefined;
}

/** `first` is capped at 100 (API.md); a negative one, or a cursor we did not issue, is BAD_USER_INPUT. */
export function pageRequest<C>(
  first: number | null | undefined,
  after: string | null | undefined,
  isCursor: (value: unknown) => value is C,
  defaultSize = 20,
): PageRequest<C> {
  const size = first ?? defaultSize;
  if (!Number.isInteger(size) || size < 0) throw badInput('first must be between 0 and 100', 'first');
  return { limit: Math.min(size, MAX_PAGE_SIZE), after: after ? decodeCursor(after, isCursor) : undefined };
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<C>(cursor: string, isCursor: (value: unknown) => value is C): C {
  try {
    if (cursor.length > 512) throw new Error('too long');
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isCursor(value)) return value;
  } catch {
    // fall through to the one error below
  }
  throw badInput('Malformed cursor', 'after');
}

export interface Connection<N> {
  edges: { cursor: string; node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number | (() => Promise<number>);
}

/** Builds a Relay connection from `limit + 1` rows. */
export function toConnection<N>(
  rows: N[],
  limit: number,
  cursorOf: (node: N) => unknown,
  totalCount: Connection<N>['totalCount'],
): Connection<N> {
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
