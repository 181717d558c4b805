import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Demo mode keeps its token signing key beside the embedded database, so sessions survive a
 * restart. Anywhere else JWT_PRIVATE_KEY comes from the environment (required in production).
 */
export function demoSigningKey(dataDir: string): string {
  const path = join(dataDir, 'jwt-private-key.pem');
  if (existsSync(path)) return readFileSync(path, 'utf8');
  mkdirSync(dataDir, { recursive: true });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(path, pem, { mode: 0o600 });
  return pem;
}
