import { randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
} from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, type Role } from '@marquee/auth';
import { createPublicKey } from 'node:crypto';

/** The Ed25519 key access tokens are signed with, and its public half as a JWKS. */
export class SigningKeys {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly kid: string,
    readonly jwks: JSONWebKeySet,
  ) {}

  /** From JWT_PRIVATE_KEY (PKCS#8 PEM), or a fresh key (outside production only: see env.ts). */
  static async load(pem: string | undefined): Promise<SigningKeys> {
    if (pem) {
      const privateKey = await importPKCS8(pem, 'EdDSA', { extractable: false });
      const publicJwk = await exportJWK(createPublicKey(pem));
      const kid = await calculateJwkThumbprint(publicJwk);
      return new SigningKeys(privateKey, kid, { keys: [{ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }] });
    }
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const kid = randomUUID();
    return new SigningKeys(privateKey, kid, {
      keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }],
    });
  }

  accessToken(user: { id: string; roles: Role[] }, ttlSeconds: number): Promise<string> {
    return new SignJWT({ roles: user.roles })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid, typ: 'at+jwt' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.privateKey);
  }
}
