import { InvalidTokenError } from '@marquee/auth';
import { sha256 } from '../sha256.js';
import type { SupergraphPlanning } from '../supergraph/planning.js';
import type { AdmissionDeps, Caller } from './admission.js';
import { Refusal } from './errors.js';
import type { Verdict } from './limits.js';

// Plain fakes of admission's dependencies, for its unit tests.

export const REGISTERED = { name: 'Hello', body: 'query Hello { __typename }' };
export const REGISTERED_ID = sha256(REGISTERED.body);
export const ADHOC = '{ __typename }';
export const PARTNER = { id: 'key-1', rateLimitPerMinute: 600 };
export const USER = { id: 'user-1', roles: ['ATTENDEE' as const] };
export const IP = '203.0.113.7';
export const anonymous: Caller = { ip: IP };
export const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

export interface FakeOptions {
  production?: boolean;
  apqInProduction?: boolean;
  /** Rate limit keys (by prefix) that are used up. */
  exhausted?: string[];
  /** What the operation limits answer (fake limits only). */
  verdict?: Verdict;
  limits?: AdmissionDeps['limits'];
  planning?: SupergraphPlanning;
}

/** Every dependency as a plain object, recording what admission asked of it. */
export function fakeDeps(options: FakeOptions = {}) {
  const taken: string[] = [];
  const checked: string[] = [];
  const verifiedKeys: string[] = [];
  const apq = new Map<string, string>();
  const deps: AdmissionDeps = {
    registered: {
      byId: (id) => (id === REGISTERED_ID ? REGISTERED : undefined),
      byBody: (body) => (body === REGISTERED.body ? REGISTERED : undefined),
    },
    apq: {
      get: async (hash) => apq.get(hash),
      set: async (hash, query) => void apq.set(hash, query),
    },
    keys: {
      verify: async (key) => {
        verifiedKeys.push(key);
        return key === 'good-key' ? PARTNER : null;
      },
    },
    tokens: {
      verify: async (token) => {
        if (token === 'good-token') return USER;
        throw new InvalidTokenError(token === 'old-token' ? 'expired' : 'invalid');
      },
    },
    rateLimits: {
      take: async (key, perMinute) => {
        taken.push(`${key} ${perMinute}`);
        return options.exhausted?.some((prefix) => key.startsWith(prefix)) ? 42 : undefined;
      },
    },
    limits: options.limits ?? {
      check: (_planning, query) => {
        checked.push(query);
        return options.verdict ?? { refusal: null, valid: true };
      },
    },
    // The fake limits never look at the schema.
    planning: () => options.planning ?? ({} as SupergraphPlanning),
    production: options.production ?? false,
    apqInProduction: options.apqInProduction ?? false,
    perMinute: { ip: 300, anonymous: 60, user: 120 },
  };
  return { deps, taken, checked, verifiedKeys, apq };
}

/** The Refusal admission threw; throws when it admitted the request (or failed otherwise). */
export async function refused(admission: Promise<unknown>): Promise<Refusal> {
  const outcome = await admission.then(
    (admitted) => ({ admitted }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`admitted: ${JSON.stringify(outcome.admitted)}`);
  if (!(outcome.error instanceof Refusal)) throw outcome.error;
  return outcome.error;
}
