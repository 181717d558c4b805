import { describe, expect, it } from 'vitest';
import type { DeployDirectory } from './lib/kubernetes-checks.js';
import { deployProblems, loadDeployDirectory } from './lib/load.js';
import { asArray, asObject, at, type JsonObject } from './lib/repo.js';
import { validateManifest } from './lib/schemas.js';
import { servicePort, subgraphs } from './lib/services.js';

const directory = loadDeployDirectory();

describe('deploy/', () => {
  it.each([...directory.documents].filter(([file]) => file !== 'kustomization.yaml'))(
    '%s is valid for the strict Kubernetes schemas',
    (_file, documents) => {
      expect(documents.length).toBeGreaterThan(0);
      for (const manifest of documents) expect(validateManifest(manifest)).toEqual([]);
    },
  );

  it('holds a Deployment, Service and autoscaler per service, wired as supergraph.yaml and each env.ts say', () => {
    expect(deployProblems()).toEqual([]);
  });

  it('never makes a secret optional: without marquee-secrets (or a key of it) a pod does not start', () => {
    // secretKeyRef and envFrom secretRef in containers, secret volumes: anywhere in any manifest.
    const refs: { file: string; ref: JsonObject }[] = [];
    const walk = (file: string, value: unknown, key?: string) => {
      if (Array.isArray(value)) value.forEach((v) => walk(file, v));
      else if (value && typeof value === 'object') {
        if (key === 'secretKeyRef' || key === 'secretRef' || key === 'secret')
          refs.push({ file, ref: asObject(value) });
        for (const [k, v] of Object.entries(value)) walk(file, v, k);
      }
    };
    for (const [file, documents] of directory.documents)
      if (file !== 'secret.example.yaml') walk(file, documents);
    expect(refs.length).toBeGreaterThanOrEqual(12);
    expect(refs.filter(({ ref }) => ref.optional === true)).toEqual([]);
  });

  it.each(subgraphs)(
    '$name listens by default (its env.ts) on the port of its routing URL in supergraph.yaml',
    (s) => {
      expect(s.port).toBe(servicePort(s));
    },
  );
});

type Find = (file: string, kind: string, name?: string) => JsonObject;

/** A deep copy of deploy/ with one object changed. */
function mutated(change: (find: Find, copy: DeployDirectory) => void) {
  const copy: DeployDirectory = {
    files: [...directory.files],
    documents: new Map([...directory.documents].map(([file, docs]) => [file, structuredClone(docs)])),
  };
  const find: Find = (file, kind, name) => {
    const found = (copy.documents.get(file) ?? []).find(
      (d) => at(d, 'kind') === kind && (name === undefined || at(d, 'metadata', 'name') === name),
    );
    if (!found) throw new Error(`no ${kind} in ${file}`);
    return found as JsonObject;
  };
  change(find, copy);
  return copy;
}

const pod = (d: JsonObject) => asObject(at(d, 'spec', 'template', 'spec'));
const container = (d: JsonObject) => asObject(asArray(pod(d).containers)[0]);
const envEntry = (d: JsonObject, name: string) =>
  asObject(asArray(container(d).env).find((e) => at(e, 'name') === name));

describe('the Kubernetes rules catch', () => {
  const cases: [string, (find: Find, dir: DeployDirectory) => void, RegExp][] = [
    [
      'a ConfigMap setting nobody reads',
      (f) => void (asObject(f('configmap.yaml', 'ConfigMap').data).EVENT_URL = 'http://events:4001/graphql'),
      /ConfigMap marquee-config: EVENT_URL is a setting of no service/,
    ],
    [
      'a shutdown longer than the grace period',
      (f) => void (asObject(f('configmap.yaml', 'ConfigMap').data).SHUTDOWN_TIMEOUT_MS = '40000'),
      /terminationGracePeriodSeconds 45 should exceed preStop 10 s \+ shutdown 40 s/,
    ],
    [
      'a wrong containerPort',
      (f) =>
        void (asObject(asArray(container(f('events.yaml', 'Deployment')).ports)[0]).containerPort = 4005),
      /events: the container should declare containerPort 4001/,
    ],
    [
      'a subgraph Service on another port',
      (f) => void (asObject(asArray(at(f('events.yaml', 'Service'), 'spec', 'ports'))[0]).port = 4010),
      /events: the Service port should be 4001[\s\S]*EVENTS_URL=.*port should be 4010/,
    ],
    [
      'a gateway URL on the wrong host',
      (f) => void (asObject(f('configmap.yaml', 'ConfigMap').data).EVENTS_URL = 'http://event:4001/graphql'),
      /gateway: EVENTS_URL=.*host should be events/,
    ],
    [
      'a subgraph on another port',
      (f) => void (asObject(f('configmap.yaml', 'ConfigMap').data).USERS_PORT = '4013'),
      /users: listens on USERS_PORT=4013/,
    ],
    [
      'no readiness probe',
      (f) => void delete container(f('tickets.yaml', 'Deployment')).readinessProbe,
      /tickets: needs a readinessProbe/,
    ],
    [
      'liveness on the wrong path',
      (f) =>
        void (asObject(at(container(f('users.yaml', 'Deployment')), 'livenessProbe', 'httpGet')).path =
          '/ready'),
      /users: livenessProbe should ask \/health/,
    ],
    [
      'a root user',
      (f) => void (asObject(pod(f('gateway.yaml', 'Deployment')).securityContext).runAsUser = 0),
      /gateway: runAsUser should be 1000/,
    ],
    [
      'runAsNonRoot off',
      (f) => void (asObject(pod(f('gateway.yaml', 'Deployment')).securityContext).runAsNonRoot = false),
      /gateway: runAsNonRoot: true/,
    ],
    [
      'capabilities kept',
      (f) => void delete asObject(container(f('events.yaml', 'Deployment')).securityContext).capabilities,
      /drop: \[ALL\]/,
    ],
    [
      'a writable root filesystem',
      (f) =>
        void (asObject(container(f('events.yaml', 'Deployment')).securityContext).readOnlyRootFilesystem =
          false),
      /readOnlyRootFilesystem: true/,
    ],
    [
      'an unknown field',
      (f) => void (container(f('events.yaml', 'Deployment')).livenesProbe = {}),
      /additional properties \(livenesProbe\)/,
    ],
    [
      'a misplaced field',
      (f) => void (asObject(at(f('users.yaml', 'Service'), 'spec')).selectors = {}),
      /Service\/users: \/spec must NOT have additional properties \(selectors\)/,
    ],
    [
      'a wrong type',
      (f) => void (asObject(at(f('tickets.yaml', 'HorizontalPodAutoscaler'), 'spec')).maxReplicas = '8'),
      /\/spec\/maxReplicas must be number/,
    ],
    [
      'an autoscaler on another Deployment',
      (f) =>
        void (asObject(at(f('events.yaml', 'HorizontalPodAutoscaler'), 'spec', 'scaleTargetRef')).name =
          'event'),
      /events: the HorizontalPodAutoscaler's scaleTargetRef/,
    ],
    [
      'a single replica',
      (f) => void (asObject(at(f('events.yaml', 'HorizontalPodAutoscaler'), 'spec')).minReplicas = 1),
      /minReplicas >= 2/,
    ],
    [
      'replicas next to an autoscaler',
      (f) => void (asObject(f('events.yaml', 'Deployment').spec).replicas = 3),
      /no spec.replicas/,
    ],
    [
      'no limits',
      (f) => void delete asObject(container(f('recommendations.yaml', 'Deployment')).resources).limits,
      /recommendations: resources.limits.cpu is missing/,
    ],
    [
      'a Service that selects nothing',
      (f) => void (asObject(at(f('tickets.yaml', 'Service'), 'spec')).selector = { app: 'ticket' }),
      /tickets: the Service's selector/,
    ],
    [
      'Service links on',
      (f) => void delete pod(f('tickets.yaml', 'Deployment')).enableServiceLinks,
      /tickets: enableServiceLinks: false/,
    ],
    [
      'no preStop sleep',
      (f) => void delete container(f('users.yaml', 'Deployment')).lifecycle,
      /users: needs a preStop sleep/,
    ],
    [
      'too short a grace period',
      (f) => void (pod(f('users.yaml', 'Deployment')).terminationGracePeriodSeconds = 20),
      /terminationGracePeriodSeconds 20 should exceed/,
    ],
    [
      'a rollout that drops capacity',
      (f) =>
        void (asObject(
          at(f('events.yaml', 'Deployment'), 'spec', 'strategy', 'rollingUpdate'),
        ).maxUnavailable = 1),
      /maxUnavailable: 0/,
    ],
    [
      'a gateway nobody can reach',
      (f) => void (asObject(f('gateway.yaml', 'Service').spec).type = 'ClusterIP'),
      /LoadBalancer Service or an Ingress/,
    ],
    [
      'an exposed subgraph',
      (f) => void (asObject(f('users.yaml', 'Service').spec).type = 'LoadBalancer'),
      /users: a subgraph Service stays inside the cluster/,
    ],
    [
      'a missing secret',
      (f) =>
        void (container(f('users.yaml', 'Deployment')).env = asArray(
          container(f('users.yaml', 'Deployment')).env,
        ).filter((e) => at(e, 'name') !== 'JWT_PRIVATE_KEY')),
      /users: JWT_PRIVATE_KEY is required in production/,
    ],
    [
      'a secret where it is not used',
      (f) =>
        void asArray(container(f('events.yaml', 'Deployment')).env).push({
          name: 'JWT_PRIVATE_KEY',
          valueFrom: { secretKeyRef: { name: 'marquee-secrets', key: 'JWT_PRIVATE_KEY' } },
        }),
      /events: JWT_PRIVATE_KEY is not a setting of subgraphs\/events/,
    ],
    [
      'an optional secret',
      (f) =>
        void (asObject(
          at(envEntry(f('gateway.yaml', 'Deployment'), 'INTERNAL_SECRET'), 'valueFrom', 'secretKeyRef'),
        ).optional = true),
      /gateway: INTERNAL_SECRET: its secretKeyRef must not be optional/,
    ],
    [
      'a Secret key that does not exist',
      (f) =>
        void (asObject(
          at(envEntry(f('events.yaml', 'Deployment'), 'DATABASE_URL'), 'valueFrom', 'secretKeyRef'),
        ).key = 'DB_URL'),
      /Secret key DB_URL is not in secret.example.yaml/,
    ],
    [
      'every secret to every pod',
      (f) =>
        void asArray(container(f('gateway.yaml', 'Deployment')).envFrom).push({
          secretRef: { name: 'marquee-secrets' },
        }),
      /envFrom secretRef/,
    ],
    [
      'a secret in the ConfigMap',
      (f) =>
        void (asObject(f('configmap.yaml', 'ConfigMap').data).DATABASE_URL = 'postgres://x:y@db/marquee'),
      /ConfigMap marquee-config: DATABASE_URL is a secret/,
    ],
    [
      'a Secret among the manifests',
      (f, dir) =>
        void dir.documents.get('configmap.yaml')?.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'marquee-secrets' },
          stringData: { INTERNAL_SECRET: 'real' },
        }),
      /Secret\/marquee-secrets: no Secret in the manifests/,
    ],
    [
      'real values in the example Secret',
      (f) =>
        void (asObject(f('secret.example.yaml', 'Secret').stringData).INTERNAL_SECRET =
          'hunter2hunter2hunter2'),
      /INTERNAL_SECRET should be a CHANGE-ME placeholder/,
    ],
    [
      'a manifest left out of the kustomization',
      (f) =>
        void (f('kustomization.yaml', 'Kustomization').resources = asArray(
          f('kustomization.yaml', 'Kustomization').resources,
        ).filter((r) => r !== 'users.yaml')),
      /users.yaml is not listed[\s\S]*users: no Deployment/,
    ],
    [
      'the example Secret applied',
      (f) => void asArray(f('kustomization.yaml', 'Kustomization').resources).push('secret.example.yaml'),
      /secret.example.yaml is an example/,
    ],
    [
      'an image on latest',
      (f) => void (asObject(asArray(f('kustomization.yaml', 'Kustomization').images)[0]).newTag = 'latest'),
      /pin a tag/,
    ],
    [
      'more database connections than the server has',
      (f) => void (asObject(at(f('tickets.yaml', 'HorizontalPodAutoscaler'), 'spec')).maxReplicas = 50),
      /database connections/,
    ],
  ];
  it.each(cases)('%s', (_name, change, expected) => {
    expect(deployProblems(mutated(change)).join('\n')).toMatch(expected);
  });
});
