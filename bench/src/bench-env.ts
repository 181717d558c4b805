import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { ensureDatabase, startEmbeddedPostgres } from '@marquee/db/embedded';
import { freePort } from '@marquee/db/testing';
import { startStack, type Stack } from '@marquee/stack';
import { createLogger } from '@marquee/subgraph-kit';
import { seedDemoAccounts } from '@marquee/users';

/**
 * The whole supergraph for a benchmark: a fresh database (on DATABASE_URL's server when set,
 * else an embedded PostgreSQL in a temp folder), demo accounts, quiet logs.
 */
export async function benchStack(): Promise<{
  stack: Stack;
  databaseUrl: string;
  jwtPrivateKey: string;
  stop(): Promise<void>;
}> {
  let adminUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  let dir: string | undefined;
  if (!adminUrl) {
    dir = mkdtempSync(join(tmpdir(), 'marquee-bench-'));
    chmodSync(dir, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      persistent: false,
    });
    adminUrl = server.adminUrl;
    stopServer = () => server.stop();
  }
  const name = `marquee_bench_${Date.now()}`;
  const databaseUrl = await ensureDatabase(adminUrl, name);
  const jwtPrivateKey = generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const stack = await startStack({
    databaseUrl,
    ports: 'random',
    source: {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      JWT_PRIVATE_KEY: jwtPrivateKey,
      DB_POOL_MAX: '20',
      // Benchmarks sign up their buyers from one address.
      SIGN_UP_PER_IP_PER_HOUR: '1000000',
    },
    log: (name) => createLogger(name, 'warn'),
  });
  await seedDemoAccounts(databaseUrl, 'development');
  return {
    stack,
    databaseUrl,
    jwtPrivateKey,
    async stop() {
      await stack.close();
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => undefined);
      await admin.end();
      await stopServer();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Polls a GraphQL endpoint until it answers `{ __typename }` (30 s at most). */
export async function waitUntilServing(name: string, url: string) {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} gateway did not start at ${url}`);
}
