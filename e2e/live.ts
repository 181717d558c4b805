import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A real graphql-ws client collecting what one subscription receives. */
export function wsClient(httpUrl: string, token?: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(token ? { connectionParams: { authorization: `Bearer ${token}` } } : {}),
  });
}

export interface Collected<T> {
  values: T[];
  errors: unknown[];
  completed: boolean;
  stop(): void;
  /** Resolves when at least `count` values arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
}

export function collect<T>(client: Client, query: string, variables: Record<string, unknown>): Collected<T> {
  const state = { values: [] as T[], errors: [] as unknown[], completed: false };
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) state.errors.push(...result.errors);
        else state.values.push(result.data as T);
        wake();
      },
      error: (error) => {
        state.errors.push(error);
        wake();
      },
      complete: () => {
        state.completed = true;
        wake();
      },
    },
  );
  return {
    get values() {
      return state.values;
    },
    get errors() {
      return state.errors;
    },
    get completed() {
      return state.completed;
    },
    stop,
    async waitFor(count, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (state.values.length < count) {
        if (state.errors.length > 0 || state.completed) {
          throw new Error(`subscription ended early: ${JSON.stringify(state.errors)}`);
        }
        if (Date.now() > end)
          throw new Error(`timed out waiting for ${count} values, got ${state.values.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return state.values;
    },
  };
}

/** A minimal Server-Sent Events client over fetch: POSTs the operation, yields each `next` payload. */
export async function sseSubscribe<T>(
  url: string,
  body: { query: string; variables?: Record<string, unknown> },
  token?: string,
): Promise<{
  values: T[];
  raw: { event: string; data: string }[];
  status: number;
  waitFor(n: number): Promise<T[]>;
  close(): void;
}> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    signal: abort.signal,
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const values: T[] = [];
  const raw: { event: string; data: string }[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          if (block.startsWith(':')) continue;
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: ?(.*)$/m.exec(block)?.[1] ?? '';
          raw.push({ event, data });
          if (event === 'next') values.push((JSON.parse(data) as { data: T }).data);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    values,
    raw,
    status: response.status,
    async waitFor(n) {
      const end = Date.now() + 10_000;
      while (values.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      if (values.length < n)
        throw new Error(`SSE: wanted ${n} payloads, got ${values.length}: ${JSON.stringify(raw)}`);
      return values;
    },
    close: () => abort.abort(),
  };
}
