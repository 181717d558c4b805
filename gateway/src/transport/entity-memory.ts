import type { GraphQLDataSource } from '@apollo/gateway';
import type { ResponseMemory } from './subgraph-transport.js';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;
type Variables = Record<string, unknown>;

/**
 * Entity fetches (`_entities`) answered one representation at a time from the one-tick memory.
 * A query plan batches every entity of a response into one fetch, so two requests for
 * different pages send different batches even when most entities in them (the same organizer,
 * the same event's tiers) were fetched a moment ago: whole-body memory cannot see that. Here
 * only the representations not remembered are fetched, and the answer is reassembled in
 * order. The memory's rules hold: at most one tick old, emptied by any write, per caller.
 */
export async function fetchEntities(
  memory: ResponseMemory,
  scope: string,
  query: string,
  variables: Variables & { representations: unknown[] },
  fetch: (variables: Variables) => Promise<GatewayResponse>,
): Promise<GatewayResponse> {
  const { representations, ...others } = variables;
  const prefix = `${scope}\n${query}\n${JSON.stringify(others)}\n`;
  const keys = representations.map((representation) => prefix + JSON.stringify(representation));
  const parts = keys.map((key) => memory.getEntity(key));
  const missing = parts.flatMap((part, index) => (part === undefined ? [index] : []));
  if (missing.length === 0) return assemble(parts as string[]);

  const generation = memory.generation;
  const fetched = await fetch({ ...others, representations: missing.map((index) => representations[index]) });
  const entities = (fetched.data as { _entities?: unknown } | null | undefined)?._entities;
  // A malformed answer goes to the gateway as it came: it reports it.
  if (!Array.isArray(entities) || entities.length !== missing.length) return fetched;
  missing.forEach((index, position) => (parts[index] = JSON.stringify(entities[position])));
  // Only a clean answer is remembered, and only if no write happened while it was fetched.
  if (!fetched.errors?.length && memory.generation === generation) {
    for (const index of missing) memory.set(keys[index]!, parts[index]!);
  }
  if (missing.length === keys.length) return fetched;
  const merged = assemble(parts as string[]);
  if (fetched.errors) merged.errors = fetched.errors.map((error) => renumber(error, missing));
  if (fetched.extensions) merged.extensions = fetched.extensions;
  return merged;
}

function assemble(parts: string[]): GatewayResponse {
  return JSON.parse(`{"data":{"_entities":[${parts.join(',')}]}}`) as GatewayResponse;
}

/** Errors point at `_entities.<position in the fetch>`: point them at the caller's index. */
function renumber<E extends { path?: readonly (string | number)[] }>(error: E, missing: number[]): E {
  const [root, position, ...rest] = error.path ?? [];
  if (root !== '_entities' || typeof position !== 'number' || missing[position] === undefined) return error;
  return { ...error, path: [root, missing[position], ...rest] };
}
