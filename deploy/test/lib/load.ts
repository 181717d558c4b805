import { checkCompose, interpolate } from './compose-checks.js';
import { checkDockerfile, type DockerfileContext } from './dockerfile-checks.js';
import { checkDeployDirectory, type DeployDirectory } from './kubernetes-checks.js';
import { listRepoDir, parseYamlDocuments, readRepoFile, repoPathExists } from './repo.js';
import type { ServiceFacts } from './services.js';

/** What `docker compose` would be given in the shell: the one variable the file insists on. */
export const COMPOSE_SHELL_ENV = {
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n',
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

export const dockerfileProblems = (s: ServiceFacts, text = readRepoFile(`${s.dir}/Dockerfile`)) =>
  checkDockerfile(s, text, dockerfileContext);

export function loadDeployDirectory(): DeployDirectory {
  const files = listRepoDir('deploy')
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const documents = new Map(files.map((f) => [f, parseYamlDocuments(readRepoFile(`deploy/${f}`), f)]));
  return { files, documents };
}

export const deployProblems = (dir = loadDeployDirectory()) => checkDeployDirectory(dir);
