import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Case, Json, Prepared } from './case.js';
import type { Actor, MatrixRow } from './matrix.js';
import type { World } from './world.js';

interface ManifestOperation {
  id: string;
  name: string;
  type: string;
  body: string;
}
export const manifest = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../operations/persisted-query-manifest.json', import.meta.url)),
    'utf8',
  ),
) as { operations: ManifestOperation[] };

export function registered(name: string): ManifestOperation {
  const operation = manifest.operations.find((o) => o.name === name);
  if (!operation) throw new Error(`${name} is not in the persisted-query manifest`);
  return operation;
}

export interface Sent {
  status: number;
  body: { data?: Json | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(url: string, body: object, headers: Record<string, string> = {}): Promise<Sent> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Sent['body'] };
}

/**
 * One cell's request. Users send their access token to the gateway; the partner sends its key
 * and no token, the registered operation by id (else the document, which admission refuses);
 * the direct caller sends the ADMIN's valid token straight to the owning subgraph, without the
 * gateway's internal credential.
 */
export function send(world: World, actor: Actor, row: MatrixRow, spec: Case, prepared: Prepared) {
  const { stack } = world;
  const document = row.registered ? registered(row.registered).body : spec.document!;
  const { variables } = prepared;
  switch (actor) {
    case 'anonymous':
      return post(stack.gatewayUrl, { query: document, variables });
    case 'partner':
      return post(
        stack.gatewayUrl,
        row.registered
          ? {
              variables,
              extensions: { persistedQuery: { version: 1, sha256Hash: registered(row.registered).id } },
            }
          : { query: document, variables },
        { 'x-api-key': world.partnerKey },
      );
    case 'direct': {
      const direct = spec.direct?.(variables) ?? { document, variables };
      return post(
        stack.urls[row.owner],
        { query: direct.document, variables: direct.variables },
        { authorization: `Bearer ${world.people.admin.token}` },
      );
    }
    default:
      return post(
        stack.gatewayUrl,
        { query: document, variables },
        { authorization: `Bearer ${world.people[actor].token}` },
      );
  }
}

/** `ok`, `null` (answered, hidden) or the error codes; with the HTTP status. */
export function outcomeOf(sent: Sent, prepared: Prepared): string {
  const codes = [...new Set((sent.body.errors ?? []).map((e) => e.extensions?.code ?? e.message))];
  if (codes.length > 0) return codes.join(', ');
  const value = prepared.value(sent.body.data ?? {});
  return value === null || value === undefined ? 'null' : 'ok';
}

/** Refusals before execution have their own HTTP status; everything else is 200. */
export function statusOf(outcome: string, actor: Actor): number {
  if (actor === 'direct') return 401;
  if (outcome === 'PERSISTED_QUERY_NOT_ALLOWED' || outcome === 'GRAPHQL_VALIDATION_FAILED') return 400;
  return 200;
}
