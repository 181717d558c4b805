/**
 * The benchmark's load generator, on its own thread: the HTTP client's work (undici, JSON)
 * stays off the thread that runs the tickets subgraph, as the gateway's would in production.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { INTERNAL_HEADER } from '@marquee/auth';
import { pool, type PoolRun } from './measure.js';

export interface LoadRequest {
  token: string;
  variables: Record<string, unknown>;
}

export interface LoadJob {
  id: number;
  query: string;
  requests: LoadRequest[];
  inFlight: number;
}

export interface LoadResult {
  id: number;
  run: PoolRun;
  /** Per request: the mutation's result object, or null when it failed. */
  results: (Record<string, unknown> | null)[];
}

interface Reply {
  data?: Record<string, Record<string, unknown> | null> | null;
  errors?: { extensions?: { code?: string } }[];
}

const { url, internalSecret } = workerData as { url: string; internalSecret: string };

async function post(query: string, request: LoadRequest): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${request.token}`,
      [INTERNAL_HEADER]: internalSecret,
    },
    body: JSON.stringify({ query, variables: request.variables }),
  });
  return (await response.json()) as Reply;
}

/** CONFLICT, BAD_USER_INPUT...; or the result's status (HELD, CONFIRMED) when it succeeded. */
function outcomeOf(reply: Reply): { outcome: string; result: Record<string, unknown> | null } {
  if (reply.errors?.length) return { outcome: reply.errors[0]?.extensions?.code ?? 'UNKNOWN', result: null };
  const result = Object.values(reply.data ?? {})[0] ?? null;
  return { outcome: typeof result?.status === 'string' ? result.status : 'OK', result };
}

parentPort!.on('message', async (job: LoadJob) => {
  const results: LoadResult['results'] = new Array(job.requests.length).fill(null);
  const indexed = job.requests.map((request, index) => ({ request, index }));
  const run = await pool(indexed, job.inFlight, async ({ request, index }) => {
    const { outcome, result } = outcomeOf(await post(job.query, request));
    results[index] = result;
    return outcome;
  });
  const reply: LoadResult = { id: job.id, run, results };
  parentPort!.postMessage(reply);
});
