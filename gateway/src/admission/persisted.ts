import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { z } from 'zod';

const Manifest = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string(), name: z.string(), type: z.string(), body: z.string() })),
});

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The registered operations (operations/persisted-query-manifest.json), by id and by body. */
export class PersistedOperations {
  private readonly byId = new Map<string, string>();
  private readonly bodies = new Set<string>();

  constructor(manifestPath: string) {
    const manifest = Manifest.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
    for (const operation of manifest.operations) {
      if (sha256(operation.body) !== operation.id)
        throw new Error(`manifest entry ${operation.name}: id is not the body's SHA-256`);
      this.byId.set(operation.id, operation.body);
      this.bodies.add(operation.body);
    }
  }

  body(id: string): string | undefined {
    return this.byId.get(id);
  }

  isRegistered(body: string): boolean {
    return this.bodies.has(body);
  }

  get size() {
    return this.byId.size;
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

/** In-process APQ store for a single gateway: bounded, oldest entries go first. */
export function memoryApqStore(limit = 10_000): ApqStore {
  const entries = new Map<string, string>();
  return {
    async get(hash) {
      return entries.get(hash);
    },
    async set(hash, query) {
      entries.delete(hash);
      entries.set(hash, query);
      if (entries.size > limit) entries.delete(entries.keys().next().value!);
    },
  };
}
