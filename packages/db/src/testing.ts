import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createDatabase } from './client.js';
import { ensureDatabase, quoteIdent, startEmbeddedPostgres } from './embedded.js';
import { migrationsDigest, runMigrations, type MigrationSet } from './migrate.js';
import { withDatabase } from './url.js';

/**
 * Test databases: one server per test run (the machine's Postgres when DATABASE_URL is set,
 * otherwise an embedded one in a temp folder), one template database migrated once per set of
 * migration files, and a fresh clone of it per test file (CREATE DATABASE ... TEMPLATE is fast).
 */
export interface TestServer {
  adminUrl: string;
  template: string;
  stop(): Promise<void>;
}

export async function startTestServer(sets: MigrationSet[]): Promise<TestServer> {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'marquee-pg-'));
    chmodSync(dir, 0o755); // the server may run as the postgres user (when we are root)
    const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port, persistent: false });
    adminUrl = server.adminUrl;
    stop = () => server.stop();
  }
  const template = await ensureTemplate(adminUrl, sets);
  return { adminUrl, template, stop };
}

async function ensureTemplate(adminUrl: string, sets: MigrationSet[]): Promise<string> {
  const template = `marquee_tpl_${migrationsDigest(sets)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    // Concurrent test runs on one server build the template once.
    await admin`select pg_advisory_lock(727274)`;
    const exists = await admin`select 1 from pg_database where datname = ${template}`;
    if (exists.length === 0) {
      const building = `${template}_build_${randomBytes(3).toString('hex')}`;
      const url = await ensureDatabase(adminUrl, building);
      const database = createDatabase({ url, schema: {}, max: 2 });
      try {
        for (const set of sets) await runMigrations(database.sql, database.db, set);
      } finally {
        await database.close();
      }
      await admin.unsafe(`alter database ${quoteIdent(building)} rename to ${quoteIdent(template)}`);
    }
  } finally {
    await admin`select pg_advisory_unlock(727274)`.catch(() => undefined);
    await admin.end();
  }
  return template;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(adminUrl: string, template: string): Promise<TestDatabase> {
  const name = `marquee_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/**
 * Connections `applicationName` holds on the database at `url`. With `settle`, waits (up to 5 s)
 * while there are any: a closed client's backends take a moment to leave pg_stat_activity.
 */
export async function connectionCount(
  url: string,
  applicationName: string,
  options: { settle?: boolean } = {},
): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const until = Date.now() + (options.settle ? 5_000 : 0);
    for (;;) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name = ${applicationName}`;
      if (row!.n === 0 || Date.now() >= until) return row!.n;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await sql.end();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}

/** A vitest globalSetup that starts the server and hands its address to every test file. */
export function pgGlobalSetup(sets: MigrationSet[]) {
  return async (project: {
    provide(key: 'marqueePg', value: { adminUrl: string; template: string }): void;
  }) => {
    const server = await startTestServer(sets);
    project.provide('marqueePg', { adminUrl: server.adminUrl, template: server.template });
    return () => server.stop();
  };
}
