import { checkServiceEnv, shutdownSeconds } from './env-rules.js';
import { asArray, asObject, at, isObject, type JsonObject } from './repo.js';
import { validateCompose } from './schemas.js';
import { readyPort, servicePort, services, urlVar, type ServiceFacts } from './services.js';

/**
 * Compose's interpolation of `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR?message}` and `$$`, over every string value of the file.
 */
export function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}|\$(\w+)/g,
      (whole, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
        if (whole === '$$') return '$';
        const key = name ?? bare ?? '';
        const current = env[key];
        const unset = current === undefined || (colon === ':' && current === '');
        if (op === '-') return unset ? (arg ?? '') : (current ?? '');
        if (op === '?' && unset) throw new Error(`\${${key}} is required: ${arg ?? ''}`);
        return current ?? '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

/** `environment` as a map, from either of its two forms. */
export function environmentOf(service: unknown): Record<string, string> {
  const environment = at(service, 'environment');
  const entries: [string, string][] = Array.isArray(environment)
    ? environment.map((item) => {
        const [key = '', ...rest] = String(item).split('=');
        return [key, rest.join('=')];
      })
    : Object.entries(asObject(environment)).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries);
}

const hostsOf = (env: Record<string, string>) =>
  Object.values(env).flatMap((value) => {
    try {
      const url = new URL(value);
      return url.hostname ? [url.hostname] : [];
    } catch {
      return [];
    }
  });

/** The healthcheck command as one string (`CMD`/`CMD-SHELL` and its arguments). */
const healthcheckCommand = (service: unknown) => {
  const test = at(service, 'healthcheck', 'test');
  return Array.isArray(test) ? test.join(' ') : typeof test === 'string' ? test : '';
};

/**
 * docker-compose.yml (parsed, merge keys resolved, interpolated): valid against the Compose
 * specification; one service per subgraph of supergraph.yaml and the gateway, built from its
 * Dockerfile as image marquee/<name>; a healthcheck on every service; depends_on with
 * `service_healthy` on every service a container's URLs point at; each container's environment
 * complete and right for its env.ts, with URLs on the service names and the ports of
 * supergraph.yaml; only the gateway published; containers hardened.
 */
export function checkCompose(document: unknown, exists: (path: string) => boolean): string[] {
  const problems = validateCompose(document).map((p) => `docker-compose.yml: ${p}`);
  const composeServices = asObject(at(document, 'services'));
  const say = (name: string, message: string) => problems.push(`docker-compose.yml: ${name}: ${message}`);

  for (const [name, definition] of Object.entries(composeServices)) {
    const test = at(definition, 'healthcheck', 'test');
    const disabled = at(definition, 'healthcheck', 'disable') === true || asArray(test)[0] === 'NONE';
    if (!test || disabled) say(name, 'needs a healthcheck');
    const dependsOn = at(definition, 'depends_on');
    if (Array.isArray(dependsOn))
      say(name, 'depends_on should name a condition (service_healthy) per service');
    for (const [target, condition] of Object.entries(asObject(dependsOn))) {
      if (!composeServices[target]) say(name, `depends on ${target}, which is not a service`);
      if (at(condition, 'condition') !== 'service_healthy')
        say(name, `should wait for ${target}: service_healthy`);
    }
    for (const host of new Set(hostsOf(environmentOf(definition)))) {
      if (!composeServices[host]) say(name, `its environment points at ${host}, which is not a service`);
      else if (!isObject(dependsOn) || !dependsOn[host]) say(name, `talks to ${host}: add it to depends_on`);
    }
  }
  problems.push(...dependencyCycles(composeServices));

  for (const s of services) {
    const definition = composeServices[s.name];
    if (!isObject(definition)) {
      say(s.name, 'missing (every subgraph of supergraph.yaml and the gateway run here)');
      continue;
    }
    problems.push(...checkMarqueeService(s, definition, composeServices, exists));
  }
  return problems;
}

function checkMarqueeService(
  s: ServiceFacts,
  definition: JsonObject,
  composeServices: JsonObject,
  exists: (path: string) => boolean,
): string[] {
  const problems: string[] = [];
  const say = (message: string) => problems.push(`docker-compose.yml: ${s.name}: ${message}`);
  const port = servicePort(s);
  const { dockerfile, buildArgs } = s;
  const args = asObject(at(definition, 'build', 'args'));
  const argsMatch =
    Object.keys(args).length === Object.keys(buildArgs).length &&
    Object.entries(buildArgs).every(([key, value]) => String(args[key]) === value);
  if (
    at(definition, 'build', 'context') !== '.' ||
    at(definition, 'build', 'dockerfile') !== dockerfile ||
    !argsMatch
  ) {
    const shown = Object.entries(buildArgs).map(([key, value]) => `${key}: ${value}`);
    say(
      `build: { context: ., dockerfile: ${dockerfile}${shown.length ? `, args: { ${shown.join(', ')} }` : ''} }`,
    );
  }
  if (!exists(dockerfile)) say(`${dockerfile} does not exist`);
  if (at(definition, 'image') !== `marquee/${s.name}`)
    say(`image should be marquee/${s.name}, as in deploy/`);

  const command = healthcheckCommand(definition);
  const asksReady = new RegExp(`127\\.0\\.0\\.1:${readyPort(s)}/ready\\b`).test(command);
  const asksHealth = new RegExp(`127\\.0\\.0\\.1:${port}/health\\b`).test(command);
  if (!asksReady && !asksHealth) {
    say(`its healthcheck should ask http://127.0.0.1:${readyPort(s)}/ready (or :${port}/health)`);
  }

  const env = environmentOf(definition);
  problems.push(
    ...checkServiceEnv(s, env, {
      where: `docker-compose.yml: ${s.name}`,
      explicit: Object.keys(env),
      hostFor: (name) => name,
      portFor: (name) => servicePort(services.find((x) => x.name === name) ?? s),
    }),
  );
  for (const target of services) {
    if (env[urlVar(target.name)] && !composeServices[target.name]) say(`no service ${target.name}`);
  }

  const published = asArray(at(definition, 'ports')).map(String);
  if (s.kind === 'gateway') {
    if (!published.some((p) => p.split('/')[0]?.endsWith(`:${port}`))) say(`should publish port ${port}`);
  } else if (published.length > 0) {
    say('subgraphs are reached through the gateway only: expose, do not publish, their port');
  }
  for (const exposed of asArray(at(definition, 'expose')).map(String)) {
    if (exposed !== String(port)) say(`exposes ${exposed}, listens on ${port}`);
  }
  const grace = durationSeconds(String(at(definition, 'stop_grace_period') ?? '10s'));
  const shutdown = shutdownSeconds(s, env);
  if (!(grace > shutdown)) say(`stop_grace_period should exceed its shutdown time (${shutdown} s)`);
  if (at(definition, 'read_only') !== true) say('read_only: true (with tmpfs /tmp)');
  if (!asArray(at(definition, 'cap_drop')).includes('ALL')) say('cap_drop: [ALL]');
  if (!asArray(at(definition, 'security_opt')).some((o) => String(o).startsWith('no-new-privileges'))) {
    say('security_opt: [no-new-privileges:true]');
  }
  return problems;
}

/** A Compose duration (`1m30s`, `500ms`) in seconds; NaN when it is not one. */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)];
  if (parts.map((p) => p[0]).join('') !== text || parts.length === 0) return Number.NaN;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ''] ?? Number.NaN), 0);
}

function dependencyCycles(composeServices: JsonObject): string[] {
  const problems: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (path.includes(name)) {
      problems.push(`docker-compose.yml: depends_on cycle ${[...path, name].join(' -> ')}`);
      return;
    }
    for (const next of Object.keys(asObject(at(composeServices[name], 'depends_on')))) {
      if (problems.length === 0) visit(next, [...path, name]);
    }
  };
  for (const name of Object.keys(composeServices)) visit(name, []);
  return problems;
}
