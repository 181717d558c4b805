import { join } from 'node:path';
import { ensureDatabase, recreateDatabase, startEmbeddedPostgres } from '@marquee/db/embedded';
import type { StackEnv } from './env.js';

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  /** Where the embedded server keeps its data (not DATA_DIR when, as root, the postgres user cannot reach it). */
  dataDir?: string;
  /** The embedded `marquee` database dropped and created empty (a demo seed that did not finish). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** DATABASE_URL if set; otherwise the embedded PostgreSQL with a `marquee` database. */
export async function openDatabase(env: StackEnv): Promise<OpenDatabase> {
  if (env.DATABASE_URL) {
    return {
      url: env.DATABASE_URL,
      embedded: false,
      reset: () => Promise.reject(new Error('only the embedded demo database is ever reset')),
      stop: async () => {},
    };
  }
  const server = await startEmbeddedPostgres({
    dataDir: join(env.DATA_DIR, 'postgres'),
    port: env.EMBEDDED_PG_PORT,
    persistent: true,
  });
  const url = await ensureDatabase(server.adminUrl, 'marquee');
  return {
    url,
    embedded: true,
    dataDir: server.dataDir,
    reset: async () => void (await recreateDatabase(server.adminUrl, 'marquee')),
    stop: () => server.stop(),
  };
}
