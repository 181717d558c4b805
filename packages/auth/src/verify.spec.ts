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

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token with our header, issuer and audience, and exactly the time claims given (seconds). */
function timed(privateKey: CryptoKey, times: { iat?: number; exp?: number }) {
  const jwt = new SignJWT({ roles: ['ADMIN'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject('user-1');
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  if (times.exp !== undefined) jwt.setExpirationTime(times.exp);
  return jwt.sign(privateKey);
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

  it('rejects a token without exp, which would otherwise be valid forever', async () => {
    const { privateKey, jwks } = await keys();
    const forever = await timed(privateKey, { iat: nowSeconds() });
    await expect(createTokenVerifier({ jwks }).verify(forever)).rejects.toEqual(
      new InvalidTokenError('invalid'),
    );
  });

  it('rejects a token without iat, whose lifetime cannot be told', async () => {
    const { privateKey, jwks } = await keys();
    const undated = await timed(privateKey, { exp: nowSeconds() + 300 });
    await expect(createTokenVerifier({ jwks }).verify(undated)).rejects.toEqual(
      new InvalidTokenError('invalid'),
    );
  });

  it('rejects a token that lives longer than a day, however fresh', async () => {
    const { privateKey, jwks } = await keys();
    const now = nowSeconds();
    const verifier = createTokenVerifier({ jwks });
    const aYear = await timed(privateKey, { iat: now, exp: now + 365 * 86_400 });
    await expect(verifier.verify(aYear)).rejects.toEqual(new InvalidTokenError('invalid'));
    const overADay = await timed(privateKey, { iat: now, exp: now + 86_401 });
    await expect(verifier.verify(overADay)).rejects.toEqual(new InvalidTokenError('invalid'));
    // The longest ACCESS_TOKEN_TTL_SECONDS the users service accepts.
    const aDay = await timed(privateKey, { iat: now, exp: now + 86_400 });
    await expect(verifier.verify(aDay)).resolves.toMatchObject({ id: 'user-1' });
  });

  it('rejects a token issued in the future beyond a minute of clock skew', async () => {
    const { privateKey, jwks } = await keys();
    const now = nowSeconds();
    const verifier = createTokenVerifier({ jwks });
    const future = await timed(privateKey, { iat: now + 3600, exp: now + 3600 + 900 });
    await expect(verifier.verify(future)).rejects.toEqual(new InvalidTokenError('invalid'));
    const skewed = await timed(privateKey, { iat: now + 30, exp: now + 30 + 900 });
    await expect(verifier.verify(skewed)).resolves.toMatchObject({ id: 'user-1' });
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
