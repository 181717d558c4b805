import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, freePort, startNode, type ChildProcess } from './processes.js';
import { accepts } from './sockets.js';

// `npm start`'s zero-setup demo, stopped while it is still starting: the embedded PostgreSQL is
// its child, and must never outlive it (a leftover server holds the port and the data folder,
// and the next start fails).
let dataDir: string;
let launcher: ChildProcess | undefined;

beforeAll(async () => {
  await buildServices();
  dataDir = mkdtempSync(join(tmpdir(), 'marquee-demo-'));
  chmodSync(dataDir, 0o755); // run as root, the embedded server runs as the postgres user
}, 120_000);
afterAll(async () => {
  launcher?.kill('SIGKILL');
  await launcher?.exited;
  // Last resort, so a failure here cannot leave a server running on the machine.
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start (embedded demo)', () => {
  it('on SIGTERM while still seeding, stops its embedded PostgreSQL and exits 0', async () => {
    const pgPort = await freePort();
    const gatewayPort = await freePort();
    // The seed waits after its first event while this file exists: SIGTERM lands mid-seed.
    const pauseFile = join(dataDir, 'pause-seed');
    writeFileSync(pauseFile, '');
    launcher = startNode('stack/dist/start.js', {
      MARQUEE_SEED_PAUSE_FILE: pauseFile,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      GATEWAY_PORT: String(gatewayPort),
      USERS_PORT: String(await freePort()),
      EVENTS_PORT: String(await freePort()),
      TICKETS_PORT: String(await freePort()),
      RECOMMENDATIONS_PORT: String(await freePort()),
    });
    // Once the seed created its first event it is under way (the gateway's public port opens
    // only after it).
    const sql = postgres(`postgres://postgres:postgres@127.0.0.1:${pgPort}/marquee`, {
      max: 1,
      onnotice: () => {},
    });
    const seeding = () =>
      sql`select count(*)::int as n from events.events`
        .then(([row]) => Number(row!.n) > 0)
        .catch(() => false);
    for (let i = 0; i < 1_200 && !(await seeding()); i++) await new Promise((r) => setTimeout(r, 50));
    await sql.end();
    expect(await accepts(pgPort), launcher.output().slice(-2_000)).toBe(true);
    expect(await accepts(gatewayPort)).toBe(false);
    launcher.kill('SIGTERM');
    expect(await launcher.exited).toBe(0);
    expect(await accepts(pgPort)).toBe(false);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });
});
