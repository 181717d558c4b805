import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench:smoke`: every `bench:*` and `eval:*` script of the root package.json, exactly as
 * a reader runs it, at its smoke size (BENCH_SMOKE=1), one after the other. Each benchmark exits
 * non-zero when it breaks or its report shows failures, so CI (.ci/run) notices a benchmark that
 * rotted. One line per script with its time; the output of a failing one in full.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT_MS = 5 * 60_000;

const { scripts } = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as {
  scripts: Record<string, string>;
};
const all = Object.keys(scripts).filter((name) => /^(bench|eval):/.test(name) && name !== 'bench:smoke');
// Named on the command line (as .ci/run does, so its list is readable there), the names must be
// all of them: a benchmark added to package.json but not to that list fails here, not silently.
const listed = process.argv.slice(2);
const unlisted = listed.length > 0 ? all.filter((name) => !listed.includes(name)) : [];
const unknown = listed.filter((name) => !all.includes(name));
if (unlisted.length > 0 || unknown.length > 0) {
  if (unlisted.length > 0) console.log(`bench:smoke: not listed: ${unlisted.join(', ')}`);
  if (unknown.length > 0) console.log(`bench:smoke: no such script: ${unknown.join(', ')}`);
  process.exit(1);
}
const names = listed.length > 0 ? listed : all;

const failed: string[] = [];
for (const name of names) {
  const started = performance.now();
  const { code, output } = await run(name);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code === 0) {
    console.log(`ok    ${name}  ${seconds} s`);
  } else {
    failed.push(name);
    console.log(`FAIL  ${name}  ${seconds} s (${code})\n${output.slice(-20_000)}`);
  }
}
if (failed.length > 0) {
  console.log(`bench:smoke: ${failed.length} of ${names.length} failed: ${failed.join(', ')}`);
  process.exit(1);
}

/** `npm run <name>` in its own process group, so that a hung run is stopped with everything it started. */
function run(name: string): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_SMOKE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const append = (chunk: Buffer) => (output += chunk.toString('utf8'));
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const timer = setTimeout(() => {
      output += `\n(stopped after ${LIMIT_MS / 1000} s)`;
      process.kill(-child.pid!, 'SIGKILL');
    }, LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? 'killed', output });
    });
  });
}
