import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { sha256 } from '../sha256.js';

const Manifest = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string(), name: z.string(), type: z.string(), body: z.string() })),
});

export interface RegisteredOperation {
  name: string;
  body: string;
}

/** The registered operations (operations/persisted-query-manifest.json), by id and by body. */
export class PersistedOperations {
  private readonly ids = new Map<string, RegisteredOperation>();
  private readonly bodies = new Map<string, RegisteredOperation>();

  constructor(manifestPath: string) {
    const manifest = Manifest.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
    for (const operation of manifest.operations) {
      if (sha256(operation.body) !== operation.id)
        throw new Error(`manifest entry ${operation.name}: id is not the body's SHA-256`);
      const entry = { name: operation.name, body: operation.body };
      this.ids.set(operation.id, entry);
      this.bodies.set(operation.body, entry);
    }
  }

  byId(id: string): RegisteredOperation | undefined {
    return this.ids.get(id);
  }

  byBody(body: string): RegisteredOperation | undefined {
    return this.bodies.get(body);
  }

  /** Every registered operation's name: the bounded set metric labels come from. */
  names(): string[] {
    return [...new Set([...this.ids.values()].map((o) => o.name))];
  }

  get size() {
    return this.ids.size;
  }
}

/** Automatic persisted queries: documents clients registered by hash (Redis when shared). */
export interface ApqStore {
  get(hash: string): Promise<string | undefined>;
  set(hash: string, query: string): Promise<void>;
}

const APQ_TTL_SECONDS = 24 * 3600;

export function redisApqStore(redis: Redis, prefix: string): ApqStore {
  return {
    async get(hash) {
      return (await redis.get(`${prefix}:apq:${hash}`)) ?? undefined;
    },
    async set(hash, query) {
      await redis.set(`${prefix}:apq:${hash}`, query, 'EX', APQ_TTL_SECONDS);
    },
  };
}

/**
 * In-process APQ store for a single gateway. Keyed by client input, so bounded by bytes, not
 * entries: least recently used documents go first.
 */
export function memoryApqStore(maxBytes = 16 * 1024 * 1024): ApqStore {
  const entries = new LRUCache<string, string>({
    maxSize: maxBytes,
    sizeCalculation: (query, hash) => (query.length + hash.length) * 2 + 64,
  });
  return {
    async get(hash) {
      return entries.get(hash);
    },
    async set(hash, query) {
      entries.set(hash, query);
    },
  };
}
