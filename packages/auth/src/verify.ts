import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { ROLES, TOKEN_AUDIENCE, TOKEN_ISSUER, type Role } from './identity.js';

export class InvalidTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'Access token expired' : 'Invalid access token');
    this.name = 'InvalidTokenError';
  }
}

/**
 * Longest lifetime (exp - iat) a token may claim: the users service's ACCESS_TOKEN_TTL_SECONDS
 * is at most a day. A longer one was not minted by a correctly configured users service, and
 * would outlive every key rotation and role change, so it is refused however fresh it is.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;
/**
 * How far in the future `iat` may be: the verifying host's clock may run behind the users
 * service's by this much. A token "issued" later than that was not issued yet, or by a clock
 * nobody should trust; `exp` itself gets no tolerance (an expired token is expired).
 */
export const CLOCK_SKEW_SECONDS = 60;

export interface TokenVerifier {
  /** Resolves the user an access token names, or throws InvalidTokenError. */
  verify(token: string): Promise<{ id: string; roles: Role[] }>;
}

/** Verifies access tokens against the users service's public keys (JWKS), fetched and cached by jose. */
export function createTokenVerifier(source: { jwksUrl: string } | { jwks: JSONWebKeySet }): TokenVerifier {
  const keys: JWTVerifyGetKey =
    'jwksUrl' in source
      ? createRemoteJWKSet(new URL(source.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
      : createLocalJWKSet(source.jwks);
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          algorithms: ['EdDSA'],
          typ: 'at+jwt',
          // Without these jose checks nothing: a token without exp would be valid forever.
          requiredClaims: ['exp', 'iat', 'sub'],
        });
        // jose has checked that both are numbers (NumericDate) and that exp is still ahead.
        const { iat, exp } = payload as { iat: number; exp: number };
        if (iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS || exp - iat > MAX_TOKEN_LIFETIME_SECONDS) {
          throw new InvalidTokenError('invalid');
        }
        const roles = Array.isArray(payload.roles) ? payload.roles : [];
        if (typeof payload.sub !== 'string' || !roles.every((r): r is Role => ROLES.includes(r as Role))) {
          throw new InvalidTokenError('invalid');
        }
        return { id: payload.sub, roles: roles as Role[] };
      } catch (error) {
        if (error instanceof InvalidTokenError) throw error;
        if (error instanceof errors.JWTExpired) throw new InvalidTokenError('expired');
        throw new InvalidTokenError('invalid');
      }
    },
  };
}

/** `Bearer abc` -> `abc`; anything else -> undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
