import { checkServiceEnv, SAMPLE_SECRETS, shutdownSeconds } from './env-rules.js';
import { asArray, asObject, at, isObject, type JsonObject } from './repo.js';
import { readyPort, servicePort, type ServiceFacts } from './services.js';

/** The uid of `node` in the official Node images, the USER of every Dockerfile. */
export const NODE_IMAGE_UID = 1000;

export interface Cluster {
  /** Every object of the kustomization, by `Kind/name`. */
  objects: Map<string, JsonObject>;
  configMaps: Map<string, Record<string, string>>;
  /** The example Secret: its name and placeholder values. */
  secret: { name: string; values: Record<string, string> };
}

const get = (cluster: Cluster, kind: string, name: string) => cluster.objects.get(`${kind}/${name}`);

const isSubset = (subset: unknown, of: unknown) =>
  isObject(subset) &&
  Object.keys(subset).length > 0 &&
  Object.entries(subset).every(([k, v]) => asObject(of)[k] === v);

/**
 * The container's environment as the kubelet builds it, Secrets replaced by stand-ins (the
 * example's values are placeholders, which the services refuse in production).
 */
function resolveEnv(container: unknown, cluster: Cluster, say: (m: string) => void) {
  const env: Record<string, string> = {};
  for (const source of asArray(at(container, 'envFrom'))) {
    const configMap = at(source, 'configMapRef', 'name');
    if (at(source, 'secretRef'))
      say('envFrom secretRef hands every secret to the container: use secretKeyRef');
    if (typeof configMap !== 'string') continue;
    const data = cluster.configMaps.get(configMap);
    if (!data) say(`envFrom names ConfigMap ${configMap}, which is not in the kustomization`);
    Object.assign(env, data ?? {});
  }
  const explicit: string[] = [];
  for (const entry of asArray(at(container, 'env'))) {
    const name = String(at(entry, 'name'));
    explicit.push(name);
    const value = at(entry, 'value');
    const secretRef = at(entry, 'valueFrom', 'secretKeyRef');
    const configRef = at(entry, 'valueFrom', 'configMapKeyRef');
    if (typeof value === 'string') env[name] = value;
    else if (isObject(secretRef)) {
      const key = String(secretRef.key);
      if (secretRef.name !== cluster.secret.name) say(`${name} comes from Secret ${String(secretRef.name)}`);
      if (!(key in cluster.secret.values)) say(`${name}: Secret key ${key} is not in secret.example.yaml`);
      // Optional, a missing Secret (or key) would start the pod without it: a service on a default.
      if (secretRef.optional === true) say(`${name}: its secretKeyRef must not be optional`);
      env[name] = SAMPLE_SECRETS[key] ?? cluster.secret.values[key] ?? '';
    } else if (isObject(configRef)) {
      env[name] = cluster.configMaps.get(String(configRef.name))?.[String(configRef.key)] ?? '';
    }
  }
  return { env, explicit };
}

function preStopSeconds(container: unknown): number | undefined {
  const sleepAction = at(container, 'lifecycle', 'preStop', 'sleep', 'seconds');
  if (typeof sleepAction === 'number') return sleepAction;
  const command = asArray(at(container, 'lifecycle', 'preStop', 'exec', 'command')).map(String);
  const match = /^sleep (\d+)$/.exec(command.join(' '));
  return match ? Number(match[1]) : undefined;
}

function checkProbe(container: unknown, probe: string, path: string, port: number, say: (m: string) => void) {
  const httpGet = at(container, probe, 'httpGet');
  if (!isObject(httpGet)) return say(`needs a ${probe} (httpGet ${path})`);
  if (httpGet.path !== path) say(`${probe} should ask ${path}, asks ${String(httpGet.path)}`);
  const portName = asArray(at(container, 'ports')).find((p) => at(p, 'containerPort') === port);
  if (httpGet.port !== port && httpGet.port !== at(portName, 'name')) {
    say(`${probe} should ask port ${port}, asks ${String(httpGet.port)}`);
  }
}

/**
 * One service's Deployment, Service, HorizontalPodAutoscaler (and PodDisruptionBudget, if any):
 * its port and environment against supergraph.yaml and its env.ts, probes on /health and /ready,
 * requests and limits, a restricted security context, rolling updates that never drop capacity,
 * time to drain and shut down, and autoscaling.
 */
export function checkWorkload(s: ServiceFacts, cluster: Cluster): string[] {
  const problems: string[] = [];
  const say = (message: string) => problems.push(`deploy/: ${s.name}: ${message}`);
  const deployment = get(cluster, 'Deployment', s.name);
  const svc = get(cluster, 'Service', s.name);
  const hpa = get(cluster, 'HorizontalPodAutoscaler', s.name);
  if (!deployment) say('no Deployment');
  if (!svc) say('no Service');
  if (!hpa) say('no HorizontalPodAutoscaler');
  if (!deployment) return problems;

  const pod = at(deployment, 'spec', 'template', 'spec');
  const labels = at(deployment, 'spec', 'template', 'metadata', 'labels');
  const containers = asArray(at(pod, 'containers'));
  const container = containers.find((c) => at(c, 'name') === s.name);
  if (!container) return [...problems, `deploy/: ${s.name}: no container named ${s.name}`];
  const port = servicePort(s);

  if (!isSubset(at(deployment, 'spec', 'selector', 'matchLabels'), labels)) {
    say("the Deployment's selector does not match its pod labels");
  }
  const image = String(at(container, 'image') ?? '');
  if (image.split(':')[0] !== `marquee/${s.name}`) say(`image should be marquee/${s.name}, is ${image}`);
  for (const declared of new Set([port, readyPort(s)])) {
    if (!asArray(at(container, 'ports')).some((p) => at(p, 'containerPort') === declared)) {
      say(`the container should declare containerPort ${declared}`);
    }
  }
  const scrapePort = at(deployment, 'spec', 'template', 'metadata', 'annotations', 'prometheus.io/port');
  if (scrapePort !== undefined && Number(scrapePort) !== readyPort(s)) {
    say(`prometheus.io/port should be ${readyPort(s)}, where /metrics is, not ${String(scrapePort)}`);
  }

  const { env, explicit } = resolveEnv(container, cluster, say);
  problems.push(
    ...checkServiceEnv(s, env, {
      where: `deploy/: ${s.name}`,
      explicit,
      hostFor: (name) => name,
      portFor: (name) => Number(at(get(cluster, 'Service', name), 'spec', 'ports', 0, 'port') ?? -1),
    }),
  );

  checkProbe(container, 'livenessProbe', '/health', port, say);
  checkProbe(container, 'readinessProbe', '/ready', readyPort(s), say);
  if (at(container, 'startupProbe')) checkProbe(container, 'startupProbe', '/health', port, say);

  for (const kind of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      if (!at(container, 'resources', kind, resource)) say(`resources.${kind}.${resource} is missing`);
    }
  }

  const podSecurity = at(pod, 'securityContext');
  const security = at(container, 'securityContext');
  const uid = at(security, 'runAsUser') ?? at(podSecurity, 'runAsUser');
  if ((at(security, 'runAsNonRoot') ?? at(podSecurity, 'runAsNonRoot')) !== true) say('runAsNonRoot: true');
  if (uid !== NODE_IMAGE_UID) say(`runAsUser should be ${NODE_IMAGE_UID} (node), is ${String(uid)}`);
  if (at(security, 'allowPrivilegeEscalation') !== false) say('allowPrivilegeEscalation: false');
  if (!asArray(at(security, 'capabilities', 'drop')).includes('ALL')) say('capabilities.drop: [ALL]');
  if (at(security, 'readOnlyRootFilesystem') !== true) say('readOnlyRootFilesystem: true');
  if (!asArray(at(container, 'volumeMounts')).some((m) => at(m, 'mountPath') === '/tmp')) {
    say('a read-only root filesystem needs a writable /tmp (emptyDir)');
  }
  const seccomp = at(security, 'seccompProfile', 'type') ?? at(podSecurity, 'seccompProfile', 'type');
  if (seccomp !== 'RuntimeDefault') say('seccompProfile: RuntimeDefault');
  if (at(pod, 'automountServiceAccountToken') !== false) say('automountServiceAccountToken: false');
  if (at(pod, 'enableServiceLinks') !== false) {
    say('enableServiceLinks: false (Service links would set EVENTS_PORT=tcp://... and the like)');
  }

  const strategy = at(deployment, 'spec', 'strategy');
  if (at(strategy, 'type') !== 'RollingUpdate') say('strategy.type: RollingUpdate');
  const maxUnavailable = at(strategy, 'rollingUpdate', 'maxUnavailable');
  if (maxUnavailable !== 0 && maxUnavailable !== '0%') say('rollingUpdate.maxUnavailable: 0');

  const preStop = preStopSeconds(container);
  const grace = Number(at(pod, 'terminationGracePeriodSeconds') ?? 30);
  const shutdown = shutdownSeconds(s, env);
  if (preStop === undefined || preStop < 5) say('needs a preStop sleep (>= 5 s) so endpoints drain first');
  else if (grace <= preStop + shutdown) {
    say(`terminationGracePeriodSeconds ${grace} should exceed preStop ${preStop} s + shutdown ${shutdown} s`);
  }

  problems.push(...checkService(s, svc, labels, cluster), ...checkAutoscaling(s, deployment, hpa, cluster));
  return problems;
}

function checkService(s: ServiceFacts, svc: JsonObject | undefined, labels: unknown, cluster: Cluster) {
  const problems: string[] = [];
  const say = (message: string) => problems.push(`deploy/: ${s.name}: ${message}`);
  if (!svc) return problems;
  if (!isSubset(at(svc, 'spec', 'selector'), labels)) say("the Service's selector does not match the pods");
  const ports = asArray(at(svc, 'spec', 'ports'));
  const target = at(ports, 0, 'targetPort');
  if (ports.length !== 1 || (target !== 'http' && target !== servicePort(s))) {
    say(`the Service should have one port, targetPort http (${servicePort(s)})`);
  }
  const type = at(svc, 'spec', 'type') ?? 'ClusterIP';
  if (s.kind === 'subgraph') {
    if (type !== 'ClusterIP') say('a subgraph Service stays inside the cluster (ClusterIP)');
    if (at(ports, 0, 'port') !== servicePort(s))
      say(`the Service port should be ${servicePort(s)} (supergraph.yaml)`);
  } else {
    const ingress = [...cluster.objects.values()].some(
      (o) => o.kind === 'Ingress' && JSON.stringify(o.spec).includes(`"name":"${s.name}"`),
    );
    if (type !== 'LoadBalancer' && !ingress)
      say('the gateway must be reachable: a LoadBalancer Service or an Ingress');
  }
  return problems;
}

function checkAutoscaling(
  s: ServiceFacts,
  deployment: JsonObject,
  hpa: JsonObject | undefined,
  cluster: Cluster,
) {
  const problems: string[] = [];
  const say = (message: string) => problems.push(`deploy/: ${s.name}: ${message}`);
  if (!hpa) return problems;
  const target = at(hpa, 'spec', 'scaleTargetRef');
  if (
    at(target, 'kind') !== 'Deployment' ||
    at(target, 'name') !== s.name ||
    at(target, 'apiVersion') !== 'apps/v1'
  ) {
    say(`the HorizontalPodAutoscaler's scaleTargetRef should be apps/v1 Deployment ${s.name}`);
  }
  const min = Number(at(hpa, 'spec', 'minReplicas') ?? 1);
  const max = Number(at(hpa, 'spec', 'maxReplicas'));
  if (min < 2) say('minReplicas >= 2: one pod is not highly available');
  if (!(max >= min)) say('maxReplicas < minReplicas');
  const cpu = asArray(at(hpa, 'spec', 'metrics')).some(
    (m) => at(m, 'resource', 'name') === 'cpu' && at(m, 'resource', 'target', 'type') === 'Utilization',
  );
  if (!cpu) say('the autoscaler should follow CPU utilization');
  if (at(deployment, 'spec', 'replicas') !== undefined)
    say('no spec.replicas: the autoscaler owns the count');
  const pdb = cluster.objects.get(`PodDisruptionBudget/${s.name}`);
  const labels = at(deployment, 'spec', 'template', 'metadata', 'labels');
  if (pdb && !isSubset(at(pdb, 'spec', 'selector', 'matchLabels'), labels)) {
    say("the PodDisruptionBudget's selector does not match the pods");
  }
  if (pdb && Number(at(pdb, 'spec', 'minAvailable') ?? 0) >= min)
    say('the PodDisruptionBudget blocks every drain');
  return problems;
}
