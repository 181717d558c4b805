import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEvents } from '@marquee/stack';
import { buildServices, freePort, startNode, type ChildProcess } from './processes.js';
import { accepts } from './sockets.js';

// `npm start` as a newcomer runs it: a port problem is one sentence naming the variable (exit
// 1), and the demo seed is atomic from the outside: nobody reaches the gateway before it is
// done, and a start stopped halfway is completed by the next one.
const dataDirs: string[] = [];
const launchers: ChildProcess[] = [];

beforeAll(() => buildServices(), 120_000);
afterAll(async () => {
  for (const launcher of launchers) {
    launcher.kill('SIGKILL');
    await launcher.exited;
  }
  // Last resort, so a failure here cannot leave a server running on the machine.
  for (const dataDir of dataDirs) {
    killPostmaster(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** The embedded server's pid, from its data folder, if it is running. */
function postmasterPid(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  return Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
}

/** SIGQUIT is postgres' immediate shutdown: its processes end at once, no checkpoint, as in a crash. */
function killPostmaster(dataDir: string) {
  const pid = postmasterPid(dataDir);
  try {
    if (pid) process.kill(pid, 'SIGQUIT');
  } catch {
    // already gone
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A launcher's settings: free ports, a data folder of its own. */
async function launcherEnv(overrides: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-first-run-'));
  chmodSync(dataDir, 0o755); // run as root, the embedded server runs as the postgres user
  dataDirs.push(dataDir);
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    OPS_PORT: String(await freePort()),
    USERS_PORT: String(await freePort()),
    EVENTS_PORT: String(await freePort()),
    TICKETS_PORT: String(await freePort()),
    RECOMMENDATIONS_PORT: String(await freePort()),
    ...overrides,
  };
}

function launch(env: Record<string, string>) {
  const launcher = startNode('stack/dist/start.js', env);
  launchers.push(launcher);
  return launcher;
}

describe('npm start with a port problem', () => {
  it('names the variable of a port already in use, in one sentence, and exits 1', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
    const taken = (holder.address() as { port: number }).port;
    try {
      const env = await launcherEnv({ GATEWAY_PORT: String(taken) });
      const launcher = launch(env);
      expect(await launcher.exited).toBe(1);
      expect(launcher.output().trim()).toBe(
        `GATEWAY_PORT=${taken} is already in use by another program; stop it or choose another port with GATEWAY_PORT=...`,
      );
      // Its embedded database stopped with it.
      expect(postmasterPid(env.DATA_DIR)).toBeUndefined();
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 120_000);

  it("refuses a port fetch() cannot reach (the fetch standard's bad ports), naming it", async () => {
    const launcher = launch(await launcherEnv({ GATEWAY_PORT: '6000' }));
    expect(await launcher.exited).toBe(1);
    expect(launcher.output()).toContain(
      "GATEWAY_PORT: 6000 is a port browsers and fetch() refuse to connect to (on the fetch standard's list of ports of other protocols); choose another",
    );
    expect(launcher.output()).not.toMatch(/fetch failed|bad port|at .*\.js/);
  });
});

describe('npm start seeding the demo', () => {
  it('keeps the gateway closed until the seed is done, and completes a seed stopped halfway', async () => {
    const env = await launcherEnv();
    const pgUrl = `postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_PG_PORT}/marquee`;
    const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
    const eventCount = async () =>
      Number((await sql<{ n: number }[]>`select count(*)::int as n from events.events`)[0]!.n);
    const opsReady = () =>
      fetch(`http://127.0.0.1:${env.OPS_PORT}/ready`).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error?: Record<string, unknown> },
      }));
    try {
      // First start: stopped dead (launcher and database) once the seed is under way; it waits
      // after its first event while the pause file exists, so a fast seed cannot finish first.
      const pauseFile = join(env.DATA_DIR, 'pause-seed');
      writeFileSync(pauseFile, '');
      const first = launch({ ...env, MARQUEE_SEED_PAUSE_FILE: pauseFile });
      await until('the seed to create events', async () => ((await eventCount()) > 0 ? true : undefined));
      expect(await accepts(Number(env.GATEWAY_PORT)), 'the public port while seeding').toBe(false);
      const during = await opsReady();
      expect(during.status).toBe(503);
      expect(during.body.error).toHaveProperty(['public port']);
      expect(first.output()).not.toMatch(/Marquee is up/);
      first.kill('SIGKILL');
      await first.exited;
      killPostmaster(env.DATA_DIR);
      await until('the embedded server to be gone', async () =>
        (await accepts(Number(env.EMBEDDED_PG_PORT))) ? undefined : true,
      );
      await sql.end();

      // Second start: the half-seeded demo is seen and set up again, whole.
      const second = launch(env);
      await second.waitForOutput(/Marquee is up/, 120_000);
      const output = second.output();
      expect(output).toContain(
        'The demo data was not completed last time: setting up the demo database again.',
      );
      expect(output).toContain(`Seeded ${demoEvents().length} demo events.`);
      // The seed is quiet (no request lines), and the banner is the last thing printed.
      expect(output).not.toContain('request completed');
      expect(output.trimEnd()).toMatch(/Demo accounts:\n(.*\n){2}.*marquee-attendee$/);
      const check = postgres(pgUrl, { max: 1, onnotice: () => {} });
      try {
        expect(await check`select count(*)::int as n from events.events`).toEqual([
          { n: demoEvents().length },
        ]);
        const marks = await check<{ finished: boolean }[]>`
          select finished_at is not null as finished from stack.demo_seed`;
        expect(marks.map((m) => m.finished)).toEqual([true]);
      } finally {
        await check.end();
      }
      const answer = await fetch(`http://127.0.0.1:${env.GATEWAY_PORT}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ events(first: 1) { totalCount } }' }),
      });
      expect(await answer.json()).toEqual({ data: { events: { totalCount: demoEvents().length } } });
      expect((await opsReady()).status).toBe(200);
      // Not a terminal: JSON request lines, the gateway's among them.
      await second.waitForOutput(/"name":"gateway".*"request completed"/);

      second.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await sql.end().catch(() => undefined);
    }
  }, 240_000);
});
