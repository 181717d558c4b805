import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';

/** The vendored schemas (see test/fixtures/README.md for where they come from). */
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });

/**
 * The Compose schema is written in the draft-04 habit of naming subschemas with `id`, which Ajv 8
 * rejects as a keyword: those string annotations are dropped (nothing refers to them).
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

/** Compose's own formats, as compose-go checks them. */
const COMPOSE_FORMATS: Record<string, RegExp> = {
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  ports: /^(((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^[0-9a-fA-F:.]+\/\d{1,3}$/,
};

let composeValidator: ValidateFunction | undefined;

/** Problems of a docker-compose.yml (after merge keys and interpolation) against the Compose spec. */
export function validateCompose(document: unknown): string[] {
  if (!composeValidator) {
    const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
    for (const [name, pattern] of Object.entries(COMPOSE_FORMATS)) {
      // A string format: a number (`ports: [4000]`) is not checked, as in compose-go.
      ajv.addFormat(name, { type: 'string', validate: (value: string) => pattern.test(value) });
    }
    composeValidator = ajv.compile(withoutLegacyIds(fixture('compose-spec.json')) as object);
  }
  return composeValidator(document) ? [] : describe(composeValidator.errors);
}

const k8s = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
k8s.addSchema(fixture('kubernetes-strict.json') as object, 'kubernetes');

/** The schema's definition for each apiVersion/kind the manifests may use. */
export const KUBERNETES_KINDS: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/Service': 'Service',
  'v1/ServiceAccount': 'ServiceAccount',
  'apps/v1/Deployment': 'Deployment',
  'autoscaling/v2/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'networking.k8s.io/v1/Ingress': 'Ingress',
  'networking.k8s.io/v1/NetworkPolicy': 'NetworkPolicy',
};

/** Problems of one manifest against the strict schema of its apiVersion and kind. */
export function validateManifest(manifest: unknown): string[] {
  const { apiVersion, kind } = (manifest ?? {}) as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind are required'];
  const definition = KUBERNETES_KINDS[`${apiVersion}/${kind}`];
  if (!definition) return [`${apiVersion} ${kind}: no schema vendored for it (test/fixtures)`];
  const validate = k8s.getSchema(`kubernetes#/definitions/${definition}`);
  if (!validate) throw new Error(`kubernetes-strict.json has no definition ${definition}`);
  return validate(manifest) ? [] : describe(validate.errors);
}
