import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * Builds the compiled services child processes run, as production does (turbo caches it: a
 * few seconds when nothing changed). Tests of process-wide behaviour (tracing, signals) need
 * their own process: OpenTelemetry is global, and vitest runs sources, not dist/.
 */
export async function buildServices() {
  await promisify(execFile)(
    'npx',
    ['turbo', 'run', 'build', '--filter=@marquee/stack...', '--output-logs=errors-only'],
    { cwd: repoRoot, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
  );
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ChildProcess {
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  /** Its JSON log lines (pino) so far. */
  logLines(): Record<string, unknown>[];
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Its exit code (null when a signal killed it). */
  exited: Promise<number | null>;
  pid: number | undefined;
}

/** `node <script>` from the repository root, with a clean environment plus `env`. */
export function startNode(script: string, env: Record<string, string>): ChildProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(OTEL_|DATABASE_URL$|REDIS_URL$|NODE_OPTIONS$|VITEST)/.test(name),
    ),
  );
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => output,
    logLines: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    waitForOutput(pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} in the output after ${timeoutMs} ms:\n${output.slice(-3_000)}`));
        }, timeoutMs);
        waiters.add(check);
        void exited.then(() => check());
        check();
      });
    },
    kill: (signal) => void child.kill(signal),
    exited,
    pid: child.pid,
  };
}
