import { Worker } from 'node:worker_threads';
import type { LoadRequest, LoadResult } from './load-worker.js';

/** Sends batches of GraphQL requests from the load-generator thread (see load-worker.ts). */
export function startLoad(url: string, internalSecret: string) {
  const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
    workerData: { url, internalSecret },
  });
  const waiting = new Map<number, (result: LoadResult) => void>();
  let next = 0;
  worker.on('message', (result: LoadResult) => {
    waiting.get(result.id)?.(result);
    waiting.delete(result.id);
  });
  return {
    /** `requests` against `query` with at most `inFlight` at a time. */
    run(query: string, requests: LoadRequest[], inFlight: number): Promise<LoadResult> {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ id, query, requests, inFlight });
      });
    },
    close: () => worker.terminate(),
  };
}
