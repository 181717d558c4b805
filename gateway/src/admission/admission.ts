import type { GraphQLSchema } from 'graphql';
import type { ApiKeyVerifier, PartnerKey } from './api-keys.js';
import { Refusal, refuse } from './errors.js';
import type { OperationLimits } from './limits.js';
import { sha256, type ApqStore, type PersistedOperations } from './persisted.js';
import type { RateLimits } from './rate-limits.js';

export interface AdmissionDeps {
  registered: PersistedOperations;
  apq: ApqStore;
  keys: ApiKeyVerifier;
  rateLimits: RateLimits;
  limits: OperationLimits;
  schema: () => GraphQLSchema;
  production: boolean;
  anonymousPerMinute: number;
}

export interface Caller {
  /** The raw `x-api-key`, when sent. */
  apiKey?: string;
  /** Whether an access token came with the request (it is verified separately). */
  hasToken: boolean;
  ip: string;
}

export interface Admitted {
  /** The document to run (resolved from a persisted id when one was sent). */
  query: string | undefined;
  partner?: PartnerKey;
}

/**
 * Everything a request must pass before it may execute, for every transport (HTTP, SSE,
 * graphql-ws): the partner key, the rate limit, persisted operations (the manifest, and
 * APQ for apps), and the operation limits. Throws a Refusal.
 */
export async function admit(
  deps: AdmissionDeps,
  caller: Caller,
  request: { query?: unknown; extensions?: unknown },
): Promise<Admitted> {
  let partner: PartnerKey | undefined;
  if (caller.apiKey !== undefined) {
    partner = (await deps.keys.verify(caller.apiKey)) ?? undefined;
    if (!partner) throw refuse.unauthenticated('Invalid or revoked API key');
    await limit(deps, `key:${partner.id}`, partner.rateLimitPerMinute);
  } else if (!caller.hasToken) {
    await limit(deps, `ip:${caller.ip}`, deps.anonymousPerMinute);
  }

  const query = await resolveDocument(deps, partner, request);
  if (query !== undefined) {
    const refusal = deps.limits.check(deps.schema(), query);
    if (refusal) throw refusal;
  }
  return { query, ...(partner ? { partner } : {}) };
}

async function limit(deps: AdmissionDeps, key: string, perMinute: number) {
  const retryAfter = await deps.rateLimits.take(key, perMinute);
  if (retryAfter !== undefined) throw refuse.rateLimited(retryAfter);
}

async function resolveDocument(
  deps: AdmissionDeps,
  partner: PartnerKey | undefined,
  request: { query?: unknown; extensions?: unknown },
): Promise<string | undefined> {
  const text = typeof request.query === 'string' && request.query.length > 0 ? request.query : undefined;
  const persisted = persistedQueryOf(request.extensions);

  if (partner) {
    if (!persisted || text) {
      throw refuse.notAllowed(
        'Requests with an API key run registered operations by id only (extensions.persistedQuery)',
      );
    }
    const body = deps.registered.body(persisted);
    if (!body) throw refuse.notFound();
    return body;
  }

  if (persisted) {
    const registered = deps.registered.body(persisted);
    if (registered) return registered;
    if (text) {
      if (sha256(text) !== persisted) throw refuse.badRequest('provided sha does not match query');
      await deps.apq.set(persisted, text);
      return text;
    }
    const stored = await deps.apq.get(persisted);
    if (!stored) throw refuse.notFound();
    return stored;
  }

  if (text && deps.production && !deps.registered.isRegistered(text)) {
    throw refuse.notAllowed('In production, send a registered operation or an automatic persisted query');
  }
  return text;
}

/** The sha256Hash of `extensions.persistedQuery`, validated; undefined when absent. */
function persistedQueryOf(extensions: unknown): string | undefined {
  if (!extensions || typeof extensions !== 'object') return undefined;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  if (persisted === undefined) return undefined;
  const { version, sha256Hash } = (persisted ?? {}) as { version?: unknown; sha256Hash?: unknown };
  if (version !== 1 || typeof sha256Hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256Hash)) {
    throw new Refusal(
      400,
      'BAD_REQUEST',
      'extensions.persistedQuery must be { version: 1, sha256Hash: <64 hex> }',
    );
  }
  return sha256Hash.toLowerCase();
}
