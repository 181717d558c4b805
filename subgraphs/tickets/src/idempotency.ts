import { createHash } from 'node:crypto';
import { badInput, conflict } from '@marquee/subgraph-kit';

/** A stable fingerprint of a request's payload, to tell a retry from a reuse of the key. */
export function requestHash(payload: unknown): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}

export function checkKey(key: string): string {
  if (key.length < 1 || key.length > 200)
    throw badInput('idempotencyKey must be 1 to 200 characters', 'idempotencyKey');
  return key;
}

/** Same key, same payload: the earlier result. Same key, another payload: CONFLICT. */
export function replay<T extends { requestHash: string }>(existing: T, hash: string): T {
  if (existing.requestHash !== hash) {
    throw conflict('This idempotencyKey was already used for a different request', {
      reason: 'IDEMPOTENCY_KEY_REUSED',
    });
  }
  return existing;
}
