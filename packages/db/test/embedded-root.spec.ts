import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded.js';
import { othersCanReach, placeForPostgresUser } from '../src/embedded-root.js';
import { freePort } from '../src/testing.js';

// A clone inside a folder only root may enter (root's home is 0700): as root the embedded
// server runs as the postgres user, who must still reach its binaries and its data.
const root = mkdtempSync(join(tmpdir(), 'marquee-root-'));
chmodSync(root, 0o755);
const privateFolder = join(root, 'private');
mkdirSync(privateFolder, { mode: 0o700 });
chmodSync(privateFolder, 0o700);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for the platform package's native/ folder: two programs and a library link. */
function fakeNative(at: string) {
  mkdirSync(join(at, 'native', 'bin'), { recursive: true });
  mkdirSync(join(at, 'native', 'lib'), { recursive: true });
  writeFileSync(join(at, 'package.json'), JSON.stringify({ version: '17.0.0-test' }));
  for (const name of ['postgres', 'initdb'])
    writeFileSync(join(at, 'native', 'bin', name), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(at, 'native', 'lib', 'libpq.so.5.17'), '');
  symlinkSync('libpq.so.5.17', join(at, 'native', 'lib', 'libpq.so.5'));
  return { postgres: join(at, 'native', 'bin', 'postgres'), initdb: join(at, 'native', 'bin', 'initdb') };
}

describe('what the postgres user can reach', () => {
  it('is a path whose every folder lets others through', () => {
    expect(othersCanReach(join(root, 'data'))).toBe(true);
    expect(othersCanReach(join(privateFolder, 'm', '.data'))).toBe(false);
  });

  it('is where the binaries are copied (once) and the data is placed when the clone is private', async () => {
    const base = join(root, 'tmp');
    mkdirSync(base);
    const shipped = fakeNative(join(privateFolder, 'm', 'node_modules', 'pg-linux'));
    const dataDir = join(privateFolder, 'm', '.data', 'postgres');
    const placed = await placeForPostgresUser(dataDir, { base, shipped });
    const home = join(base, 'marquee-embedded-postgres');
    expect(placed.dataDir).toMatch(new RegExp(`^${home}/data-[0-9a-f]{12}$`));
    expect(placed.binaries?.postgres).toMatch(
      new RegExp(`^${home}/postgres-17.0.0-test-[^/]+/bin/postgres$`),
    );
    expect(othersCanReach(placed.binaries!.initdb)).toBe(true);
    expect(statSync(placed.binaries!.initdb).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(placed.binaries!.postgres, '..', '..', 'lib', 'libpq.so.5'))).toBe(
      'libpq.so.5.17',
    );
    expect(lstatSync(home).mode & 0o777).toBe(0o755);
    // The next start finds the same places.
    expect(await placeForPostgresUser(dataDir, { base, shipped })).toEqual(placed);
    // Reachable ones stay where they are, the data folder being postgres' own 0700 one or not.
    mkdirSync(join(root, 'data'), { mode: 0o700 });
    const open = fakeNative(join(root, 'open'));
    expect(await placeForPostgresUser(join(root, 'data'), { base, shipped: open })).toEqual({
      dataDir: join(root, 'data'),
    });
  });
});

describe.runIf(process.getuid?.() === 0)('as root, from a folder the postgres user cannot enter', () => {
  it('the embedded server still starts and answers', async () => {
    const port = await freePort();
    const server = await startEmbeddedPostgres({
      dataDir: join(privateFolder, 'pg'),
      port,
      persistent: false,
    });
    try {
      // The data folder itself is postgres' own (0700); the way to it is open.
      expect(server.dataDir.startsWith(privateFolder)).toBe(false);
      expect(othersCanReach(dirname(server.dataDir))).toBe(true);
      const sql = postgres(server.adminUrl, { max: 1 });
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
      await sql.end();
    } finally {
      await server.stop();
    }
  }, 60_000);
});
