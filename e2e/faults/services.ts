import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { spawn, type ChildProcess as NodeChild } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '@marquee/db/embedded';
import { seedDemoAccounts } from '@marquee/users';
import { buildServices, freePort, startNode, type ChildProcess } from '../processes.js';

/**
 * Marquee in services mode on infrastructure of its own: a private redis-server and a private
 * embedded PostgreSQL (never the machine's shared ones, whatever DATABASE_URL / REDIS_URL say),
 * and the five compiled services as child processes, so a fault suite can kill, stop and
 * restart any piece of it. Everything is torn down by stop(), and by the exit hook below if
 * the test process goes away first.
 */
export type ServiceName = 'users' | 'events' | 'tickets' | 'recommendations' | 'gateway';
export const SUBGRAPHS = ['users', 'events', 'tickets', 'recommendations'] as const;

const PORT_VARIABLE: Record<ServiceName, string> = {
  users: 'USERS_PORT',
  events: 'EVENTS_PORT',
  tickets: 'TICKETS_PORT',
  recommendations: 'RECOMMENDATIONS_PORT',
  gateway: 'GATEWAY_PORT',
};

/** Children still alive, killed synchronously if the test process exits without cleaning up. */
const alive = new Set<NodeChild | ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export interface PrivateRedis {
  url: string;
  /** SIGKILL: a crash, nothing saved (it runs with persistence off). */
  kill(): Promise<void>;
  /** Again on the same port, empty. */
  start(): Promise<void>;
}

async function startRedis(dir: string): Promise<PrivateRedis & { stop(): Promise<void> }> {
  const port = await freePort();
  let child: NodeChild | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const started = spawn('/usr/bin/redis-server', [...args, '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    alive.add(started);
    started.once('exit', () => alive.delete(started));
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      started.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', () => reject(new Error(`redis-server exited:\n${output}`)));
    });
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start, stop: kill };
}

export interface PrivatePostgres {
  /** A fast shutdown (connections are cut), data kept. */
  stop(): Promise<void>;
  /** Again on the same port and data directory. */
  start(): Promise<void>;
}

async function startPostgres(dir: string) {
  const port = await freePort();
  chmodSync(dir, 0o755); // as root the server runs as the postgres user, which must reach the data
  const options = { dataDir: join(dir, 'pgdata'), port, persistent: true };
  let server: EmbeddedServer | undefined = await startEmbeddedPostgres(options);
  const url = await ensureDatabase(server.adminUrl, 'marquee');
  const stop = async () => {
    const running = server;
    server = undefined;
    await running?.stop();
  };
  const start = async () => {
    server = await startEmbeddedPostgres(options);
  };
  return { url, stop, start };
}

export interface Services {
  gatewayUrl: string;
  databaseUrl: string;
  redis: PrivateRedis;
  postgres: PrivatePostgres;
  /** http://127.0.0.1:<port> of a service (append /health, /ready, /metrics, /graphql). */
  base(name: ServiceName): string;
  /** SIGKILL one service and wait until it is gone. */
  kill(name: ServiceName): Promise<void>;
  /** Start a killed service again on its port; resolves once its /health answers. */
  restart(name: ServiceName): Promise<void>;
  /** Services that exited without kill() asking them to, with their last output. */
  unexpectedExits(): string[];
  output(name: ServiceName): string;
  /** The most memory the service's process has held so far (VmHWM), in MB. */
  peakRssMb(name: ServiceName): number;
  stop(): Promise<void>;
}

const INTERNAL_SECRET = `faults-${randomBytes(12).toString('hex')}`;

export async function startServices(
  options: { env?: Partial<Record<ServiceName, Record<string, string>>> } = {},
): Promise<Services> {
  await buildServices();
  const dir = mkdtempSync(join(tmpdir(), 'marquee-faults-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const redis = await startRedis(dir);
    cleanups.push(redis.stop);
    const postgres = await startPostgres(dir);
    cleanups.push(postgres.stop);
    return await startProcesses(redis, postgres, options.env ?? {}, cleanups, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startProcesses(
  redis: PrivateRedis,
  postgres: PrivatePostgres & { url: string },
  overrides: Partial<Record<ServiceName, Record<string, string>>>,
  cleanups: (() => Promise<void>)[],
  stopAll: () => Promise<void>,
): Promise<Services> {
  const ports = {} as Record<ServiceName, number>;
  for (const name of [...SUBGRAPHS, 'gateway'] as const) ports[name] = await freePort();
  const base = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  const graphqlUrl = (name: ServiceName) => `${base(name)}/graphql`;
  // A fixed signing key: a restarted users service must accept the tokens it issued before.
  const jwtKey = generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    INTERNAL_SECRET,
    JWKS_URL: `${base('users')}/.well-known/jwks.json`,
  };
  const env: Record<ServiceName, Record<string, string>> = {
    users: { DATABASE_URL: postgres.url, JWT_PRIVATE_KEY: jwtKey },
    events: { DATABASE_URL: postgres.url, REDIS_URL: redis.url },
    tickets: { DATABASE_URL: postgres.url, REDIS_URL: redis.url, EVENTS_URL: graphqlUrl('events') },
    recommendations: { DATABASE_URL: postgres.url, REDIS_URL: redis.url },
    gateway: {
      REDIS_URL: redis.url,
      USERS_URL: graphqlUrl('users'),
      EVENTS_URL: graphqlUrl('events'),
      TICKETS_URL: graphqlUrl('tickets'),
      RECOMMENDATIONS_URL: graphqlUrl('recommendations'),
      SUPERGRAPH_WATCH: 'false',
      // Load tests come from one IP and a few users; the rate limits are not what is tested here.
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
    },
  };
  const children = new Map<ServiceName, ChildProcess>();
  const killed = new Set<ChildProcess>();
  const exits: string[] = [];

  const launch = async (name: ServiceName) => {
    const child = startNode(`${name === 'gateway' ? 'gateway' : `subgraphs/${name}`}/dist/main.js`, {
      ...common,
      [PORT_VARIABLE[name]]: String(ports[name]),
      ...env[name],
      ...overrides[name],
    });
    children.set(name, child);
    alive.add(child);
    void child.exited.then((code) => {
      alive.delete(child);
      if (!killed.has(child)) exits.push(`${name} exited (${code}):\n${child.output().slice(-2_000)}`);
    });
    await waitForHealth(base(name), child, name);
  };
  cleanups.push(async () => {
    const running = [...children.values()];
    for (const child of running) {
      killed.add(child);
      child.kill('SIGKILL');
    }
    await Promise.all(running.map((child) => child.exited));
  });

  try {
    // users first: it owns the demo accounts' table and the keys everyone else verifies with.
    await launch('users');
    await seedDemoAccounts(postgres.url, 'test');
    await Promise.all((['events', 'tickets', 'recommendations'] as const).map(launch));
    await launch('gateway');
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    gatewayUrl: graphqlUrl('gateway'),
    databaseUrl: postgres.url,
    redis,
    postgres,
    base,
    async kill(name) {
      const child = children.get(name)!;
      killed.add(child);
      child.kill('SIGKILL');
      await child.exited;
    },
    restart: (name) => launch(name),
    unexpectedExits: () => [...exits],
    output: (name) => children.get(name)?.output() ?? '',
    peakRssMb(name) {
      const status = readFileSync(`/proc/${children.get(name)!.pid}/status`, 'utf8');
      return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
    },
    stop: stopAll,
  };
}

async function waitForHealth(base: string, child: ChildProcess, name: string) {
  let gone = false;
  void child.exited.then(() => (gone = true));
  const end = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`${name} exited while starting:\n${child.output().slice(-3_000)}`);
    const ok = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > end) throw new Error(`${name} not healthy after 60 s:\n${child.output().slice(-3_000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
