import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from './identity.js';
import { internalSecretMatches } from './internal.js';
import { bearerToken, createTokenVerifier, InvalidTokenError } from './verify.js';

async function keys() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
  return { privateKey, jwks: { keys: [jwk] } };
}

function token(privateKey: CryptoKey, claims: Record<string, unknown>, exp = '5m', kid = 'k1') {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(privateKey);
}

describe('token verification', () => {
  it('accepts a token signed by a key in the set', async () => {
    const { privateKey, jwks } = await keys();
    const verifier = createTokenVerifier({ jwks });
    await expect(verifier.verify(await token(privateKey, { roles: ['ATTENDEE'] }))).resolves.toEqual({
      id: 'user-1',
      roles: ['ATTENDEE'],
    });
  });

  it('rejects a token signed by another key (forged)', async () => {
    const { jwks } = await keys();
    const other = await keys();
    const verifier = createTokenVerifier({ jwks });
    await expect(verifier.verify(await token(other.privateKey, { roles: ['ADMIN'] }))).rejects.toEqual(
      new InvalidTokenError('invalid'),
    );
  });

  it('reports expiry distinctly', async () => {
    const { privateKey, jwks } = await keys();
    const expired = await token(privateKey, { roles: [] }, '-1m');
    await expect(createTokenVerifier({ jwks }).verify(expired)).rejects.toMatchObject({ reason: 'expired' });
  });

  it('rejects unknown roles', async () => {
    const { privateKey, jwks } = await keys();
    const bad = await token(privateKey, { roles: ['ROOT'] });
    await expect(createTokenVerifier({ jwks }).verify(bad)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('parses bearer headers strictly', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('compares the internal secret exactly', () => {
    expect(internalSecretMatches('s3cret-value-0123', 's3cret-value-0123')).toBe(true);
    expect(internalSecretMatches('s3cret-value-0124', 's3cret-value-0123')).toBe(false);
    expect(internalSecretMatches(undefined, 's3cret-value-0123')).toBe(false);
  });
});
