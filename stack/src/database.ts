import { join } from 'node:path';
import { ensureDatabase, startEmbeddedPostgres } from '@marquee/db/embedded';
import type { StackEnv } from './env.js';

/** DATABASE_URL if set; otherwise the embedded PostgreSQL with a `marquee` database. */
export async function openDatabase(
  env: StackEnv,
): Promise<{ url: string; embedded: boolean; stop(): Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  const server = await startEmbeddedPostgres({
    dataDir: join(env.DATA_DIR, 'postgres'),
    port: env.EMBEDDED_PG_PORT,
    persistent: true,
  });
  const url = await ensureDatabase(server.adminUrl, 'marquee');
  return { url, embedded: true, stop: () => server.stop() };
}
