import { checkCompose, interpolate } from './compose-checks.js';
import { checkDockerfile, type DockerfileContext } from './dockerfile-checks.js';
import { checkDeployDirectory, type DeployDirectory } from './kubernetes-checks.js';
import { listRepoDir, parseYamlDocuments, readRepoFile, repoPathExists } from './repo.js';
import type { ServiceFacts } from './services.js';

/**
 * What `docker compose` would be given in the shell: the secrets the file insists on, shaped as
 * README.md makes them (random, long enough for NODE_ENV=production).
 */
export const COMPOSE_SHELL_ENV: Record<string, string> = {
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n',
  INTERNAL_SECRET: 'q3V9yJ0nWm4s8Xc2Lr6Tb1Hd5Ke7Pf0Ag9Zu3Ni6Ow8=',
  POSTGRES_PASSWORD: '5c1f9a7e2b8d4f60a3e9c7b1d5f2a8e4c6b0d9f3a7e1c5b8',
};

/** docker-compose.yml as Compose reads it: merge keys resolved, then interpolated. */
export const loadCompose = (
  text = readRepoFile('docker-compose.yml'),
  shellEnv: Record<string, string> = COMPOSE_SHELL_ENV,
): unknown => interpolate(parseYamlDocuments(text, 'docker-compose.yml')[0], shellEnv);

export const composeProblems = (document = loadCompose()) => checkCompose(document, repoPathExists);

const lockfile = JSON.parse(readRepoFile('package-lock.json')) as {
  packages: Record<string, { version?: string }>;
};

export const dockerfileContext: DockerfileContext = {
  turboVersion: lockfile.packages['node_modules/turbo']?.version ?? '(not in the lockfile)',
  exists: repoPathExists,
};

export const dockerfileProblems = (s: ServiceFacts, text = readRepoFile(s.dockerfile)) =>
  checkDockerfile(s, text, dockerfileContext);

export function loadDeployDirectory(): DeployDirectory {
  const files = listRepoDir('deploy')
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const documents = new Map(files.map((f) => [f, parseYamlDocuments(readRepoFile(`deploy/${f}`), f)]));
  return { files, documents };
}

export const deployProblems = (dir = loadDeployDirectory()) => checkDeployDirectory(dir);
