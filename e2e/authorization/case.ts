import type { World } from './world.js';

export type Json = Record<string, unknown>;
export type Variables = Record<string, unknown>;

/** What one cell sends, and how to read its result. */
export interface Prepared {
  variables: Variables;
  /** The value the row is about, from `data`; null or undefined when it is hidden. */
  value(data: Json): unknown;
  /** For writes: whether the change is in the database (asked after the call). */
  written?(): Promise<boolean>;
}

export interface Case {
  /** The document for rows without a registered operation (those run the manifest's body). */
  document?: string;
  /**
   * What the direct caller sends to the owning subgraph, when not the same request: fields of
   * other subgraphs' entities are reached there through `_entities`, as the gateway would.
   */
  direct?(variables: Variables): { document: string; variables: Variables };
  /** Fresh state for one cell (cells are independent). */
  prepare(world: World): Promise<Prepared>;
}

/** `dig(data, 'user', 'email')`: the value at that path, or undefined. */
export function dig(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A user reference, as the gateway sends it to the subgraph that extends User. */
export const entitiesOfUser = (selection: string) => (variables: Variables) => ({
  document: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { ${selection} } } }`,
  variables: { r: [{ __typename: 'User', id: variables.id }] },
});

export const exists = async (rows: PromiseLike<readonly unknown[]>) => (await rows).length > 0;
