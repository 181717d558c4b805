import { posix } from 'node:path';
import { runInNewContext } from 'node:vm';
import {
  baseImage,
  effectiveInstructions,
  imageEnv,
  imageTag,
  parseDockerfile,
  type Instruction,
  type Stage,
} from './dockerfile.js';
import { servicePort, type ServiceFacts } from './services.js';

export interface DockerfileContext {
  /** The turbo version of the lockfile: `turbo prune` must be the same program. */
  turboVersion: string;
  exists(path: string): boolean;
}

const ROOT_USERS = new Set(['', 'root', '0', '0:0', 'root:root']);

const runs = (instructions: Instruction[]) =>
  instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

/**
 * Structural rules for a service image (there is no Docker engine to build it here), read with
 * the service's build arguments (the subgraphs share one Dockerfile): several stages and a
 * runtime one that is small, production-only and unprivileged, listens where supergraph.yaml
 * says, runs the service's dist/main.js, checks its own health, and holds what the service reads
 * at run time. Rules in the spirit of hadolint are included (no ADD, no `npm install`, pinned
 * base images, COPY --from an existing stage).
 */
export function checkDockerfile(s: ServiceFacts, text: string, ctx: DockerfileContext): string[] {
  const problems: string[] = [];
  const built = Object.entries(s.buildArgs).map(([key, value]) => `${key}=${value}`);
  const where = built.length > 0 ? `${s.dockerfile} (${built.join(' ')})` : s.dockerfile;
  const say = (message: string) => problems.push(`${where}: ${message}`);
  const file = parseDockerfile(text, s.buildArgs);
  const { stages } = file;
  const final = stages[stages.length - 1];
  if (stages.length < 2 || !final) {
    say(`needs a multi-stage build (build, then a small runtime stage), found ${stages.length} stage(s)`);
    if (!final) return problems;
  }

  // Base images: pinned, and one Node for every stage.
  const names = new Set<string>();
  const images = new Set<string>();
  for (const stage of stages) {
    if (!names.has(stage.from)) {
      const tag = imageTag(stage.from);
      if (!tag || tag === 'latest') say(`FROM ${stage.from}: pin a tag (not latest)`);
      images.add(stage.from);
    }
    if (stage.name) names.add(stage.name);
  }
  if (images.size > 1) say(`every stage should start from the same image, found ${[...images].join(', ')}`);

  const all = stages.flatMap((stage) => stage.instructions.map((i) => ({ stage, i })));
  for (const { stage, i } of all) {
    if (i.keyword === 'ADD') say(`line ${i.line}: use COPY, not ADD`);
    if (i.keyword === 'RUN' && /\bnpm (install|i)\b/.test(i.args))
      say(`line ${i.line}: use npm ci, not npm install`);
    if (i.keyword === 'COPY' && i.flags.from !== undefined) {
      const earlier = stages.slice(0, stages.indexOf(stage)).some((x) => x.name === i.flags.from);
      if (!earlier) say(`line ${i.line}: COPY --from=${i.flags.from} names no earlier stage`);
    }
    if (i.keyword === 'COPY' && i.flags.from === undefined) {
      const sources = i.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        if (source !== '.' && !ctx.exists(source)) say(`line ${i.line}: COPY ${source}: no such path`);
      }
    }
    if (i.keyword === 'ENV' && /\b\w*(SECRET|PASSWORD|PRIVATE_KEY|DATABASE_URL|REDIS_URL)\w*=/.test(i.args)) {
      say(`line ${i.line}: no secrets or connection strings in the image (${i.args})`);
    }
  }

  // How it is built: a pruned workspace, every dependency to build, production ones to run.
  const everyRun = stages.flatMap((stage) => runs(stage.instructions));
  const prune = everyRun.map((r) => /turbo@([\w.-]+) prune (\S+) --docker/.exec(r)).find(Boolean);
  if (!prune) say(`should \`npx turbo@<version> prune ${s.packageName} --docker\``);
  else {
    if (prune[2] !== s.packageName) say(`prunes ${prune[2]}, not ${s.packageName}`);
    if (prune[1] !== ctx.turboVersion)
      say(`turbo@${prune[1]} differs from the lockfile's ${ctx.turboVersion}`);
  }
  if (!everyRun.some((r) => r.includes(`turbo run build --filter=${s.packageName}...`))) {
    say(`should build with \`turbo run build --filter=${s.packageName}...\``);
  }
  const depsStage = stages.find((stage) =>
    runs(stage.instructions).some((r) => /npm ci\b.*--omit=dev/.test(r)),
  );
  if (!depsStage) say('no stage installs production dependencies only (npm ci --omit=dev)');

  // The runtime stage.
  if (!final) return problems;
  const runtime = effectiveInstructions(file, final);
  const last = (keyword: string) => runtime.filter((i) => i.keyword === keyword).at(-1);
  if (!/^node:\d+/.test(baseImage(file, final))) say(`the runtime stage should run on a node image`);
  for (const i of runtime) {
    if (i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args) && !i.args.includes('--omit=dev')) {
      say(`the runtime stage installs development dependencies (line ${i.line})`);
    }
    if (i.keyword === 'RUN' && /turbo run build/.test(i.args))
      say('the runtime stage builds: copy the result instead');
    if (i.keyword === 'COPY' && i.flags.from === undefined && i.args.split(/\s+/)[0] === '.') {
      say(`line ${i.line}: the runtime stage copies the whole build context`);
    }
  }
  const copiesFrom = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.flags.from);
  if (depsStage?.name && !copiesFrom.includes(depsStage.name)) {
    say(`the runtime stage does not take its node_modules from the ${depsStage.name} stage`);
  }
  const user = last('USER');
  if (!user) say('the runtime stage runs as root: add USER node');
  else if (ROOT_USERS.has(user.args.trim())) say(`the runtime stage runs as ${user.args.trim()}`);
  if (!runtime.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args))) {
    say('the runtime stage should set NODE_ENV=production');
  }
  const exposed = runtime.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
  const port = servicePort(s);
  if (exposed.join(' ') !== String(port)) say(`EXPOSE ${exposed.join(' ') || '(none)'}, should be ${port}`);
  const cmd = last('CMD');
  const main = `${s.dir}/dist/main.js`;
  // Relative to the WORKDIR it runs in; files are copied to the first one, the app's root.
  const workdirs = runtime.filter((i) => i.keyword === 'WORKDIR').map((i) => i.args.trim());
  const root = posix.resolve('/', workdirs[0] ?? '/');
  const cwd = workdirs.reduce((dir, next) => posix.resolve(dir, next), '/');
  const [program, script, ...more] = cmd?.exec ?? [];
  const started =
    program === 'node' && script !== undefined && more.length === 0 ? posix.resolve(cwd, script) : '';
  if (!cmd?.exec || started !== posix.join(root, main)) {
    const expected =
      cwd === root ? `["node", "${main}"]` : `["node", "${posix.relative(cwd, posix.join(root, main))}"]`;
    say(
      `CMD should be ${expected} (exec form, so node gets SIGTERM; it runs in ${cwd}), is ${cmd?.args ?? '(none)'}`,
    );
  }
  if (!ctx.exists(`${s.dir}/src/main.ts`)) say(`${s.dir}/src/main.ts (compiled to ${main}) does not exist`);
  if (last('ENTRYPOINT')) say('no ENTRYPOINT: CMD runs node directly');
  checkHealthcheck(s, last('HEALTHCHECK'), imageEnv(file, final), say);
  if (s.kind === 'subgraph') checkPatchedDriver(stages, depsStage, runtime, say);
  checkRuntimeFiles(s, stages, runtime, ctx, say);
  return problems;
}

/**
 * The URL a `node -e` health check asks, run with `env` as the container's environment (fetch
 * only records its URL); undefined for any other command.
 */
function askedUrl(exec: string[] | undefined, env: Record<string, string>): string | undefined {
  const [program, flag, script] = exec ?? [];
  if (program !== 'node' || flag !== '-e' || !script) return undefined;
  let asked: string | undefined;
  const fetch = (url: unknown) => {
    asked = String(url);
    return new Promise(() => {});
  };
  try {
    runInNewContext(script, { process: { env, exit: () => {} }, fetch }, { timeout: 1_000 });
  } catch (error) {
    return `(fails: ${String(error)})`;
  }
  return asked ?? '(asks nothing)';
}

function checkHealthcheck(
  s: ServiceFacts,
  health: Instruction | undefined,
  env: Record<string, string>,
  say: (m: string) => void,
) {
  const port = servicePort(s);
  if (!health || /^NONE\b/.test(health.args)) {
    say('the runtime stage needs a HEALTHCHECK');
    return;
  }
  const command = health.exec?.join(' ') ?? health.args;
  const byDefault = askedUrl(health.exec, env);
  if (byDefault === undefined) {
    // Another program (curl, wget): read its arguments.
    if (!/\/(health|ready)\b/.test(command)) say('HEALTHCHECK should ask /health or /ready');
    if (!command.includes(String(port))) say(`HEALTHCHECK should ask port ${port}`);
    return;
  }
  if (!/\/(health|ready)$/.test(byDefault))
    say(`HEALTHCHECK should ask /health or /ready, asks ${byDefault}`);
  if (!byDefault.startsWith(`http://127.0.0.1:${port}/`)) {
    say(`HEALTHCHECK should ask port ${port}, asks ${byDefault}`);
  }
  const moved = askedUrl(health.exec, { ...env, [s.portVar]: '5999' });
  if (!moved?.startsWith('http://127.0.0.1:5999/')) {
    say(`HEALTHCHECK should follow ${s.portVar} (with ${s.portVar}=5999 it asks ${moved})`);
  }
}

/**
 * The postgres driver carries a fix from patches/ (patch-package, run by npm ci's postinstall):
 * the build installs with the patches present, and the runtime takes that driver, not the one
 * the script-less production install left unpatched.
 */
function checkPatchedDriver(
  stages: Stage[],
  depsStage: Stage | undefined,
  runtime: Instruction[],
  say: (m: string) => void,
) {
  const patched = stages.find((stage) => {
    const install = stage.instructions.findIndex(
      (i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args) && !/--ignore-scripts|--omit=dev/.test(i.args),
    );
    const patches = stage.instructions.findIndex(
      (i) => i.keyword === 'COPY' && i.flags.from === undefined && /^patches\b/.test(i.args),
    );
    return install >= 0 && patches >= 0 && patches < install;
  });
  if (!patched?.name) {
    say('no stage copies patches/ before its npm ci (patch-package fixes the postgres driver there)');
    return;
  }
  const driver = `/app/node_modules/postgres`;
  const fromPatched = (i: Instruction) =>
    i.keyword === 'COPY' && i.flags.from === patched.name && i.args.startsWith(`${driver} `);
  if (!depsStage?.instructions.some(fromPatched) && !runtime.some(fromPatched)) {
    say(`the runtime should take node_modules/postgres from the ${patched.name} stage (patched)`);
  }
}

/** What each service reads from disk besides node_modules and dist/ (see its source). */
function runtimeFiles(s: ServiceFacts): string[] {
  if (s.kind === 'subgraph') return [`${s.dir}/drizzle`, `${s.dir}/src/**/*.graphql`];
  return ['gateway/supergraph.graphql', 'operations/persisted-query-manifest.json'];
}

function checkRuntimeFiles(
  s: ServiceFacts,
  stages: Stage[],
  runtime: Instruction[],
  ctx: DockerfileContext,
  say: (m: string) => void,
) {
  const assembly = stages
    .flatMap((stage) => runs(stage.instructions))
    .find((r) => r.includes('cp --parents'));
  if (!assembly) {
    say('no step assembles the runtime tree (cp --parents ... /out/)');
    return;
  }
  if (!/\$workspace\/dist/.test(assembly) || !/workspaces/.test(assembly)) {
    say(
      "the runtime tree should hold dist/ of every workspace of the prune (root package.json's workspaces)",
    );
  }
  if (!/find \/out -name '\*\.map' -delete/.test(assembly)) say('the runtime tree should drop source maps');
  const copied = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  for (const path of runtimeFiles(s)) {
    const listed = assembly.split(/\s+/).includes(path) || copied.some((args) => args.startsWith(`${path} `));
    if (!listed) say(`the runtime image lacks ${path}, which the service reads`);
    const plain = path.replace(/\/\*\*\/\*\.graphql$/, '');
    if (!ctx.exists(plain)) say(`${plain} does not exist`);
  }
}
