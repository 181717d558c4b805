import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/*
 * The pair a refresh token was rotated into, kept on the old token's row for the reuse grace so
 * that a second presentation gets the same pair. Only hashes of refresh tokens are stored, and
 * this must not become a readable copy: it is sealed with AES-256-GCM under a key derived (HKDF)
 * from the old token itself, which the database never holds. Whoever can open it already holds
 * the old token; a database dump, a backup or a replica cannot. The row id is both the HKDF salt
 * and the associated data, so a seal moved to another row does not open.
 */

const INFO = 'marquee/refresh-successor/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const keyFor = (oldToken: string, rowId: string) =>
  Buffer.from(hkdfSync('sha256', oldToken, rowId, INFO, 32));

export function sealSuccessor(oldToken: string, rowId: string, pair: TokenPair): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(oldToken, rowId), iv).setAAD(Buffer.from(rowId));
  const body = Buffer.concat([cipher.update(JSON.stringify(pair), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The sealed pair, or undefined when this token, row or seal does not match (or was altered). */
export function openSuccessor(oldToken: string, rowId: string, sealed: string): TokenPair | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', keyFor(oldToken, rowId), raw.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    })
      .setAAD(Buffer.from(rowId))
      .setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    const pair = JSON.parse(text.toString('utf8')) as Partial<TokenPair>;
    if (typeof pair.accessToken !== 'string' || typeof pair.refreshToken !== 'string') return undefined;
    return { accessToken: pair.accessToken, refreshToken: pair.refreshToken };
  } catch {
    return undefined;
  }
}
