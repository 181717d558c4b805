import CircuitBreaker from 'opossum';
import { Pool } from 'undici';

/** A subgraph's answer, read once: several waiting requests may share it (see `shared`). */
export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

/**
 * Recent answers of every subgraph, shared so one mutation anywhere empties all of it: whole
 * responses by request body, and single entities (as JSON text, so no caller can alter them)
 * by representation.
 */
export class ResponseMemory {
  // A plain Map in insertion order (lookups are on the hot path, several per entity fetch):
  // bounded by bytes, because answers are as large as callers make them, oldest out first.
  private readonly entries = new Map<string, { until: number; value: RawResponse | string; size: number }>();
  private bytes = 0;
  /** Bumped by every write, so reads begun before it are neither remembered nor joined. */
  generation = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  get(key: string): RawResponse | undefined {
    const value = this.lookup(key);
    return typeof value === 'object' ? value : undefined;
  }

  getEntity(key: string): string | undefined {
    const value = this.lookup(key);
    return typeof value === 'string' ? value : undefined;
  }

  set(key: string, value: RawResponse | string) {
    if (this.ttlMs <= 0) return;
    this.remove(key);
    const size = key.length + (typeof value === 'string' ? value : value.text).length + 64;
    if (size > this.maxBytes) return;
    const now = Date.now();
    this.entries.set(key, { until: now + this.ttlMs, value, size });
    this.bytes += size;
    // Every entry lives as long, so the oldest are first: drop what expired, then what is too much.
    for (const [oldest, entry] of this.entries) {
      if (entry.until > now && this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  clear() {
    this.generation++;
    this.entries.clear();
    this.bytes = 0;
  }

  get size() {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private lookup(key: string): RawResponse | string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    this.remove(key);
    return undefined;
  }

  private remove(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.size;
  }
}

export interface TransportOptions {
  url: string;
  /** Deadline for one call, headers and body together. */
  timeoutMs: number;
  /** An open breaker lets one call through again after this long (half-open). */
  breakerResetMs: number;
  /** Where identical query fetches of the last moments are answered from. */
  memory: ResponseMemory;
  /** Keep-alive connections to the subgraph. */
  connections: number;
  onBreakerState?: (state: 'closed' | 'half-open' | 'open') => void;
}

/** Thrown when the breaker is open: the subgraph is not even asked. */
export class BreakerOpenError extends Error {
  constructor() {
    super('Circuit breaker open');
    this.name = 'BreakerOpenError';
  }
}

/** Thrown for a 5xx answer, so the breaker counts it; the data source unwraps it. */
export class ServerError extends Error {
  constructor(readonly response: RawResponse) {
    super(`Subgraph answered ${response.status}`);
    this.name = 'ServerError';
  }
}

/**
 * HTTP to one subgraph, the gateway's hot path:
 * - an undici Pool of keep-alive connections (no fetch/WHATWG stream layers per call);
 * - identical query fetches (same document, variables and caller) in flight at once are sent
 *   once, and, for `cacheTtlMs` (at most one subscription tick), answered from that response;
 *   any mutation through this gateway empties that short memory, so a caller reads its writes;
 * - an opossum circuit breaker: after repeated failures (refused, reset, timeout, 5xx) the
 *   subgraph is not called for `breakerResetMs`, then one call probes it.
 */
export class SubgraphTransport {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly breaker: CircuitBreaker<[Record<string, string>, string], RawResponse>;
  private readonly inflight = new Map<string, Promise<RawResponse>>();

  constructor(private readonly options: TransportOptions) {
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.breaker = new CircuitBreaker(
      (headers: Record<string, string>, body: string) => this.send(headers, body),
      {
        timeout: false, // the pool's own timeouts apply
        resetTimeout: options.breakerResetMs,
        errorThresholdPercentage: 50,
        volumeThreshold: 5,
        rollingCountTimeout: 10_000,
      },
    );
    this.breaker.on('open', () => options.onBreakerState?.('open'));
    this.breaker.on('halfOpen', () => options.onBreakerState?.('half-open'));
    this.breaker.on('close', () => options.onBreakerState?.('closed'));
  }

  async post(
    headers: Record<string, string>,
    body: string,
    cacheKey: string | undefined,
  ): Promise<RawResponse> {
    const memory = this.options.memory;
    if (cacheKey === undefined) {
      // A write: forget before (no later read joins an older one) and after (no read that
      // raced it is remembered).
      memory.clear();
      try {
        return await this.call(headers, body);
      } finally {
        memory.clear();
      }
    }
    const recent = memory.get(cacheKey);
    if (recent) return recent;
    const generation = memory.generation;
    const flightKey = `${generation}\n${cacheKey}`;
    let pending = this.inflight.get(flightKey);
    if (!pending) {
      pending = this.call(headers, body);
      this.inflight.set(flightKey, pending);
      const settle = () => this.inflight.delete(flightKey);
      pending.then((response) => {
        settle();
        if (response.status < 300 && memory.generation === generation) memory.set(cacheKey, response);
      }, settle);
    }
    return pending;
  }

  get breakerOpen(): boolean {
    return this.breaker.opened;
  }

  async close() {
    this.breaker.shutdown();
    await this.pool.close();
  }

  private async call(headers: Record<string, string>, body: string): Promise<RawResponse> {
    try {
      return await this.breaker.fire(headers, body);
    } catch (error) {
      if ((error as { code?: string }).code === 'EOPENBREAKER') throw new BreakerOpenError();
      if (error instanceof ServerError) return error.response;
      throw error;
    }
  }

  private async send(headers: Record<string, string>, body: string): Promise<RawResponse> {
    const response = await this.pool.request({ path: this.path, method: 'POST', headers, body });
    const text = await response.body.text();
    const contentType = String(response.headers['content-type'] ?? '');
    const raw = { status: response.statusCode, contentType, text };
    if (raw.status >= 500) throw new ServerError(raw);
    return raw;
  }
}
