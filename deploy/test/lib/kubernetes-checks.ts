import { isProcessVar, knownVars, SECRET_VARS } from './env-rules.js';
import { asArray, asObject, at, isObject, type JsonObject } from './repo.js';
import { validateManifest } from './schemas.js';
import { services, subgraphs } from './services.js';
import { checkWorkload, type Cluster } from './workload-checks.js';

/** Database connections the subgraphs may open at their autoscalers' maximum (managed servers' small tiers allow 100-200). */
export const MAX_DATABASE_CONNECTIONS = 150;

export interface DeployDirectory {
  /** The top-level *.yaml files of deploy/. */
  files: string[];
  /** Every document of each of those files. */
  documents: Map<string, unknown[]>;
}

const EXAMPLE = /\.example\.ya?ml$/;
const name = (o: unknown) => String(at(o, 'metadata', 'name'));

/**
 * deploy/ as `kubectl apply -k deploy/` sees it: every manifest valid for the strict Kubernetes
 * schema of its kind; kustomization.yaml listing every manifest (and no example), a Namespace,
 * pinned images; no Secret in the manifests, only references to the example's keys; a ConfigMap
 * of known, non-secret settings; then each service's workload (workload-checks.ts) and the
 * database connections at full scale-out.
 */
export function checkDeployDirectory(dir: DeployDirectory): string[] {
  const problems: string[] = [];
  const kustomization = dir.documents.get('kustomization.yaml')?.[0];
  if (!isObject(kustomization)) return ['deploy/kustomization.yaml is missing'];
  const resources = asArray(kustomization.resources).map(String);
  const manifests = dir.files.filter((f) => f !== 'kustomization.yaml' && !EXAMPLE.test(f));
  for (const file of manifests)
    if (!resources.includes(file)) problems.push(`deploy/kustomization.yaml: ${file} is not listed`);
  for (const file of resources) {
    if (!dir.files.includes(file)) problems.push(`deploy/kustomization.yaml: ${file} does not exist`);
    if (EXAMPLE.test(file)) problems.push(`deploy/kustomization.yaml: ${file} is an example, not a resource`);
  }

  const objects = new Map<string, JsonObject>();
  for (const file of resources) {
    for (const manifest of dir.documents.get(file) ?? []) {
      const where = `deploy/${file}: ${String(at(manifest, 'kind'))}/${name(manifest)}`;
      problems.push(...validateManifest(manifest).map((p) => `${where}: ${p}`));
      if (!isObject(manifest)) continue;
      const key = `${String(manifest.kind)}/${name(manifest)}`;
      if (objects.has(key)) problems.push(`${where}: defined twice`);
      objects.set(key, manifest);
      if (manifest.kind === 'Secret') {
        problems.push(`${where}: no Secret in the manifests (create marquee-secrets: deploy/README.md)`);
      }
      const namespace = at(manifest, 'metadata', 'namespace');
      if (namespace !== undefined && namespace !== kustomization.namespace) {
        problems.push(
          `${where}: namespace ${String(namespace)}, the kustomization's is ${String(kustomization.namespace)}`,
        );
      }
    }
  }
  if (typeof kustomization.namespace !== 'string' || !objects.has(`Namespace/${kustomization.namespace}`)) {
    problems.push('deploy/kustomization.yaml: set namespace and create that Namespace');
  }

  const images = asArray(kustomization.images);
  for (const deployment of [...objects.values()].filter((o) => o.kind === 'Deployment')) {
    for (const container of asArray(at(deployment, 'spec', 'template', 'spec', 'containers'))) {
      const [image = '', tag] = String(at(container, 'image')).split(':');
      const entry = images.find((i) => at(i, 'name') === image);
      const pinned = at(entry, 'newTag') ?? tag;
      if (!pinned || pinned === 'latest')
        problems.push(`deploy/: ${image}: pin a tag in kustomization.yaml images`);
    }
  }

  const cluster = buildCluster(objects, dir, problems);
  for (const s of services) problems.push(...checkWorkload(s, cluster));
  problems.push(...connectionBudget(cluster));
  return problems;
}

function buildCluster(objects: Map<string, JsonObject>, dir: DeployDirectory, problems: string[]): Cluster {
  const configMaps = new Map<string, Record<string, string>>();
  const everyKnownVar = new Set(services.flatMap(knownVars));
  for (const configMap of [...objects.values()].filter((o) => o.kind === 'ConfigMap')) {
    const data = Object.fromEntries(Object.entries(asObject(configMap.data)).map(([k, v]) => [k, String(v)]));
    configMaps.set(name(configMap), data);
    for (const key of Object.keys(data)) {
      const where = `deploy/: ConfigMap ${name(configMap)}: ${key}`;
      if (!everyKnownVar.has(key) && !isProcessVar(key)) problems.push(`${where} is a setting of no service`);
      if (SECRET_VARS.includes(key) || /SECRET|PASSWORD|PRIVATE_KEY|TOKEN/.test(key)) {
        problems.push(`${where} is a secret: it belongs in marquee-secrets`);
      }
    }
  }

  const exampleFile = dir.files.find((f) => EXAMPLE.test(f) && dir.documents.get(f)?.[0] !== undefined);
  const example = exampleFile ? dir.documents.get(exampleFile)?.[0] : undefined;
  if (!example || at(example, 'kind') !== 'Secret')
    problems.push('deploy/: ship an example Secret (*.example.yaml)');
  else problems.push(...validateManifest(example).map((p) => `deploy/${exampleFile}: ${p}`));
  const values = Object.fromEntries(
    Object.entries(asObject(at(example, 'stringData'))).map(([k, v]) => [k, String(v)]),
  );
  for (const [key, value] of Object.entries(values)) {
    if (!value.includes('CHANGE-ME'))
      problems.push(`deploy/${exampleFile}: ${key} should be a CHANGE-ME placeholder`);
  }
  if (at(example, 'data')) problems.push(`deploy/${exampleFile}: placeholders in stringData only`);
  return { objects, configMaps, secret: { name: name(example), values } };
}

function connectionBudget(cluster: Cluster): string[] {
  let connections = 0;
  for (const s of subgraphs) {
    if (!knownVars(s).includes('DATABASE_URL')) continue;
    const maxReplicas = Number(
      at(cluster.objects.get(`HorizontalPodAutoscaler/${s.name}`), 'spec', 'maxReplicas') ?? 1,
    );
    const configured = [...cluster.configMaps.values()].find((data) => data.DB_POOL_MAX)?.DB_POOL_MAX;
    const pool = Number(configured ?? s.schema.shape.DB_POOL_MAX?.parse(undefined) ?? 10);
    connections += maxReplicas * pool;
  }
  return connections > MAX_DATABASE_CONNECTIONS
    ? [
        `deploy/: at full scale-out the subgraphs open ${connections} database connections (> ${MAX_DATABASE_CONNECTIONS})`,
      ]
    : [];
}
