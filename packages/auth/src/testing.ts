import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, type Role } from './identity.js';

export interface TestIssuer {
  jwks: JSONWebKeySet;
  /** An access token shaped exactly like the users service's. */
  token(userId: string, roles?: Role[], expiresIn?: string): Promise<string>;
}

/** For subgraph tests that need signed-in callers without running the users service. */
export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };
  return {
    jwks,
    token: (userId, roles = ['ATTENDEE'], expiresIn = '15m') =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setSubject(userId)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
  };
}
