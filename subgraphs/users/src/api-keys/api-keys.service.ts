import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Caller } from '@marquee/auth';
import { badInput, isId, notFound } from '@marquee/subgraph-kit';
import { requireAdmin } from '../access.js';
import { ApiKeysRepository, type ApiKeyRow } from './api-keys.repository.js';

/** Keys are 256 random bits, so a fast hash is enough to store them safely. */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

@Injectable()
export class ApiKeysService {
  constructor(private readonly repository: ApiKeysRepository) {}

  async create(
    caller: Caller,
    name: string,
    rateLimitPerMinute: number | null | undefined,
  ): Promise<{ key: string; apiKey: ApiKeyRow }> {
    const admin = requireAdmin(caller, 'Only an ADMIN can create API keys');
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 100)
      throw badInput('Name must be 1 to 100 characters', 'name');
    // The SDL default covers an omitted limit; an explicit null is refused like any bad value.
    if (
      typeof rateLimitPerMinute !== 'number' ||
      !Number.isInteger(rateLimitPerMinute) ||
      rateLimitPerMinute < 1 ||
      rateLimitPerMinute > 1_000_000
    ) {
      throw badInput('rateLimitPerMinute must be between 1 and 1000000', 'rateLimitPerMinute');
    }
    const key = `mq_${randomBytes(32).toString('base64url')}`;
    const apiKey = await this.repository.insert({
      name: trimmed,
      keyHash: hashApiKey(key),
      rateLimitPerMinute,
      createdBy: admin.id,
    });
    return { key, apiKey };
  }

  async list(caller: Caller): Promise<ApiKeyRow[]> {
    requireAdmin(caller, 'Only an ADMIN can list API keys');
    return this.repository.list();
  }

  /**
   * For the gateway's key check (only reachable with the internal credential: the field is
   * @inaccessible, so no public query can name it). Marks the key used.
   */
  async activeByHash(keyHash: string): Promise<ApiKeyRow | null> {
    if (!/^[0-9a-f]{64}$/.test(keyHash)) return null;
    return (await this.repository.touchActive(keyHash)) ?? null;
  }

  async revoke(caller: Caller, id: string): Promise<boolean> {
    requireAdmin(caller, 'Only an ADMIN can revoke API keys');
    if (!isId(id) || !(await this.repository.revoke(id))) throw notFound('API key');
    return true;
  }
}
