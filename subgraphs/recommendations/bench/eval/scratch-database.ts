import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@marquee/db';
import { ensureDatabase, quoteIdent, startEmbeddedPostgres } from '@marquee/db/embedded';
import { freePort } from '@marquee/db/testing';

/**
 * A throw-away database for the evaluation and the benchmark: on DATABASE_URL's server when
 * it is set (a new database beside it, dropped afterwards), otherwise on an embedded
 * PostgreSQL in a temp folder. Only 127.0.0.1 in the default setup.
 */
export async function scratchDatabase(prefix: string) {
  let adminUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  let kind: 'DATABASE_URL' | 'embedded' = 'DATABASE_URL';
  if (!adminUrl) {
    kind = 'embedded';
    const dir = mkdtempSync(join(tmpdir(), `marquee-${prefix}-`));
    chmodSync(dir, 0o755); // the server may run as the postgres user (when we are root)
    const server = await startEmbeddedPostgres({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      persistent: false,
    });
    adminUrl = server.adminUrl;
    stopServer = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = `marquee_${prefix}_${randomBytes(4).toString('hex')}`;
  const url = await ensureDatabase(adminUrl, name);
  const admin = adminUrl;
  return {
    url,
    kind,
    async drop() {
      const server = createDatabase({ url: admin, schema: {}, max: 1 });
      try {
        await server.sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
      } finally {
        await server.close();
      }
      await stopServer();
    },
  };
}
