import { addressBucket, bearerToken, type Role, type TokenVerifier } from '@marquee/auth';
import { sha256 } from '../sha256.js';
import type { SupergraphPlanning } from '../supergraph/planning.js';
import type { ApiKeyVerifier, PartnerKey } from './api-keys.js';
import { Refusal, refuse } from './errors.js';
import type { OperationLimits } from './limits.js';
import type { ApqStore, PersistedOperations } from './persisted.js';
import type { RateLimits } from './rate-limits.js';

/** Only the methods admission calls, so a test can hand it plain objects. */
export interface AdmissionDeps {
  registered: Pick<PersistedOperations, 'byId' | 'byBody'>;
  apq: ApqStore;
  keys: Pick<ApiKeyVerifier, 'verify'>;
  tokens: TokenVerifier;
  rateLimits: Pick<RateLimits, 'take'>;
  limits: Pick<OperationLimits, 'check'>;
  planning: () => SupergraphPlanning;
  production: boolean;
  /** Automatic persisted queries may register documents in production (off by default). */
  apqInProduction: boolean;
  perMinute: { ip: number; anonymous: number; user: number };
}

export type VerifiedUser = { id: string; roles: Role[] };

export interface Caller {
  /** The raw `x-api-key`, when sent. */
  apiKey?: string;
  /** The Authorization header as sent; verified here unless `user` is given. */
  authorization?: string;
  /** A caller the transport already verified (graphql-ws, at connection_init); null: anonymous. */
  user?: VerifiedUser | null;
  /** The client's address, with TRUST_PROXY_HOPS applied: the same rule on every transport. */
  ip: string;
}

export interface Admitted {
  /** The document to run (resolved from a persisted id when one was sent). */
  query: string | undefined;
  partner?: PartnerKey;
  user?: VerifiedUser;
  /** The registered operation's name when the document is one: the only names metrics label. */
  registeredName?: string;
}

interface Request {
  query?: unknown;
  extensions?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

/**
 * Everything a request must pass before it may execute, for every transport (HTTP, SSE,
 * graphql-ws). Rate limits first, so nothing below can be repeated for free: every request
 * counts against its IP; then against its partner key, its signed-in user, or (anonymous, and
 * also any invalid key or token) the IP's anonymous quota. Then the document: registered
 * operations and APQ, and the operation limits with the request's variables. An APQ document is
 * stored only once all of that passed. Throws a Refusal.
 */
export async function admit(deps: AdmissionDeps, caller: Caller, request: Request): Promise<Admitted> {
  const { partner, user } = await identify(deps, caller);
  const { query, registeredName, checked } = await resolveDocument(deps, partner, request);
  if (query !== undefined && !checked) {
    const { refusal } = deps.limits.check(deps.planning(), query, request);
    if (refusal) throw refusal;
  }
  return {
    query,
    ...(partner ? { partner } : {}),
    ...(user ? { user } : {}),
    ...(registeredName ? { registeredName } : {}),
  };
}

/** The rate limits and credentials part of admission (also what opening a graphql-ws connection costs). */
export async function identify(
  deps: AdmissionDeps,
  caller: Caller,
): Promise<{ partner?: PartnerKey; user?: VerifiedUser }> {
  // An IPv6 client is counted by its /64: one subscriber holds them all.
  const address = addressBucket(caller.ip);
  await limit(deps, `ip:${address}`, deps.perMinute.ip);
  const anonymousQuota = () => limit(deps, `anon:${address}`, deps.perMinute.anonymous);

  let partner: PartnerKey | undefined;
  if (caller.apiKey !== undefined) {
    partner = (await deps.keys.verify(caller.apiKey)) ?? undefined;
    if (!partner) {
      await anonymousQuota();
      throw refuse.unauthenticated('Invalid or revoked API key');
    }
  }
  const user = caller.user !== undefined ? (caller.user ?? undefined) : await verifyToken(deps, caller);
  if (user === 'invalid' || user === 'expired') {
    await anonymousQuota();
    throw refuse.unauthenticated(user === 'expired' ? 'Access token expired' : 'Invalid access token');
  }
  if (partner) await limit(deps, `key:${partner.id}`, partner.rateLimitPerMinute);
  else if (user) await limit(deps, `user:${user.id}`, deps.perMinute.user);
  else await anonymousQuota();
  return { ...(partner ? { partner } : {}), ...(user ? { user } : {}) };
}

async function limit(deps: AdmissionDeps, key: string, perMinute: number) {
  const retryAfter = await deps.rateLimits.take(key, perMinute);
  if (retryAfter !== undefined) throw refuse.rateLimited(retryAfter);
}

/** The bearer token's user; undefined without one (an empty header is no token). */
async function verifyToken(
  deps: AdmissionDeps,
  caller: Caller,
): Promise<VerifiedUser | 'invalid' | 'expired' | undefined> {
  if (!caller.authorization?.trim()) return undefined;
  const token = bearerToken(caller.authorization);
  if (!token) return 'invalid';
  try {
    return await deps.tokens.verify(token);
  } catch (error) {
    return (error as { reason?: string }).reason === 'expired' ? 'expired' : 'invalid';
  }
}

async function resolveDocument(
  deps: AdmissionDeps,
  partner: PartnerKey | undefined,
  request: Request,
): Promise<{ query: string | undefined; registeredName?: string; checked?: boolean }> {
  const text = typeof request.query === 'string' && request.query.length > 0 ? request.query : undefined;
  const persisted = persistedQueryOf(request.extensions);
  const apqAllowed = !deps.production || deps.apqInProduction;

  if (partner) {
    if (!persisted || text) {
      throw refuse.notAllowed(
        'Requests with an API key run registered operations by id only (extensions.persistedQuery)',
      );
    }
    const registered = deps.registered.byId(persisted);
    if (!registered) throw refuse.notFound();
    return { query: registered.body, registeredName: registered.name };
  }

  if (persisted) {
    const registered = deps.registered.byId(persisted);
    if (registered) return { query: registered.body, registeredName: registered.name };
    if (!apqAllowed) {
      if (text) throw refuse.notAllowed('In production, send a registered operation by id');
      throw refuse.notFound();
    }
    if (text) {
      if (sha256(text) !== persisted) throw refuse.badRequest('provided sha does not match query');
      // Stored only once it passed the limits (and the credentials, above), and only if valid.
      const verdict = deps.limits.check(deps.planning(), text, request);
      if (verdict.refusal) throw verdict.refusal;
      if (verdict.valid) await deps.apq.set(persisted, text);
      return { query: text, checked: true };
    }
    const stored = await deps.apq.get(persisted);
    if (!stored) throw refuse.notFound();
    return { query: stored };
  }

  const registered = text ? deps.registered.byBody(text) : undefined;
  if (registered) return { query: text, registeredName: registered.name };
  if (text && deps.production) {
    throw refuse.notAllowed(
      apqAllowed
        ? 'In production, send a registered operation or an automatic persisted query'
        : 'In production, send a registered operation by id (extensions.persistedQuery)',
    );
  }
  return { query: text };
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
