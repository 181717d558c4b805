import { eventsEnvSchema } from '@marquee/events';
import { gatewayEnvSchema, PRODUCTION_OPS_PORT } from '@marquee/gateway';
import { recommendationsEnvSchema } from '@marquee/recommendations';
import { ticketsEnvSchema } from '@marquee/tickets';
import { usersEnvSchema } from '@marquee/users';
import type { z } from '@marquee/env';
import { asObject, at, readYaml } from './repo.js';

/** What the deployment files have to agree with, read from the services themselves. */
export interface ServiceFacts {
  /** Compose service, Kubernetes Deployment/Service/HPA name, and image `marquee/<name>`. */
  name: string;
  kind: 'gateway' | 'subgraph';
  /** Its workspace folder, e.g. `subgraphs/events`. */
  dir: string;
  /** The Dockerfile its image is built from, and the build arguments it needs. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  packageName: string;
  /** Its env.ts schema. */
  schema: z.ZodObject;
  /** The variable that sets its port, e.g. `EVENTS_PORT`. */
  portVar: string;
  /** The port it listens on by default (its env.ts default). */
  port: number;
  /** Subgraphs: the routing URL in supergraph.yaml. */
  routingUrl?: URL;
  /** The gateway: the port /ready and /metrics are on in production (not the public one). */
  opsPort?: number;
}

/** The env.ts schema of every service; a subgraph added to supergraph.yaml must be added here. */
const ENV_SCHEMAS: Record<string, z.ZodObject> = {
  gateway: gatewayEnvSchema,
  events: eventsEnvSchema,
  tickets: ticketsEnvSchema,
  users: usersEnvSchema,
  recommendations: recommendationsEnvSchema,
};

/** One Dockerfile for every subgraph, told which by SUBGRAPH (and its port by PORT). */
export const SUBGRAPH_DOCKERFILE = 'subgraphs/Dockerfile';

/** The subgraph that publishes the token keys at JWKS_URL. */
export const JWKS_OWNER = 'users';
export const JWKS_PATH = '/.well-known/jwks.json';

export const urlVar = (serviceName: string) => `${serviceName.toUpperCase()}_URL`;

function facts(name: string, kind: ServiceFacts['kind'], dir: string, routingUrl?: URL): ServiceFacts {
  const schema = ENV_SCHEMAS[name];
  if (!schema) throw new Error(`no env.ts schema known for "${name}": add it to ENV_SCHEMAS`);
  const portVar = `${name.toUpperCase()}_PORT`;
  const portSchema = schema.shape[portVar];
  if (!portSchema) throw new Error(`${dir}/src/env.ts has no ${portVar}`);
  const port = portSchema.parse(undefined) as number;
  const opsPort = kind === 'gateway' ? PRODUCTION_OPS_PORT : undefined;
  const image: Pick<ServiceFacts, 'dockerfile' | 'buildArgs'> =
    kind === 'subgraph'
      ? {
          dockerfile: SUBGRAPH_DOCKERFILE,
          buildArgs: { SUBGRAPH: name, PORT: routingUrl?.port ?? String(port) },
        }
      : { dockerfile: `${dir}/Dockerfile`, buildArgs: {} };
  return {
    name,
    kind,
    dir,
    ...image,
    packageName: `@marquee/${name}`,
    schema,
    portVar,
    port,
    routingUrl,
    opsPort,
  };
}

/** The subgraphs of supergraph.yaml (their folder is where their schema file is), then the gateway. */
export function loadServices(): ServiceFacts[] {
  const subgraphs = asObject(at(readYaml('supergraph.yaml'), 'subgraphs'));
  const services = Object.entries(subgraphs).map(([name, entry]) => {
    const routing = at(entry, 'routing_url');
    const file = at(entry, 'schema', 'file');
    if (typeof routing !== 'string' || typeof file !== 'string') {
      throw new Error(`supergraph.yaml: ${name} needs routing_url and schema.file`);
    }
    const dir = file.replace(/^\.\//, '').replace(/\/[^/]+$/, '');
    return facts(name, 'subgraph', dir, new URL(routing));
  });
  return [...services, facts('gateway', 'gateway', 'gateway')];
}

export const services = loadServices();
export const subgraphs = services.filter((s) => s.kind === 'subgraph');

export function service(name: string): ServiceFacts {
  const found = services.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service ${name}`);
  return found;
}

/** The port a service must listen on in every deployment: its routing URL's for a subgraph. */
export const servicePort = (s: ServiceFacts) => (s.routingUrl ? Number(s.routingUrl.port) : s.port);
/** Where its /ready and /metrics answer in production: the gateway keeps them off its public port. */
export const readyPort = (s: ServiceFacts) => s.opsPort ?? servicePort(s);
