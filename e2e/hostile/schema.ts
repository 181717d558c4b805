import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import type { Prng } from './prng.js';
import { plausibleValue, toLiteral } from './values.js';

export async function introspect(url: string, headers: Record<string, string>): Promise<GraphQLSchema> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await response.json()) as { data?: IntrospectionQuery; errors?: unknown };
  if (!body.data) throw new Error(`introspection of ${url} failed: ${JSON.stringify(body.errors)}`);
  return buildClientSchema(body.data);
}

type Field = GraphQLField<unknown, unknown>;
type Operation = 'query' | 'mutation' | 'subscription';

/** A field with arguments, and how to reach it from a root type. */
export interface FieldTarget {
  operation: Operation;
  /** `me { ` ... `edges { node { ` : the selections around the field, opened. */
  path: string[];
  parent: string;
  field: Field;
}

const hasRequiredArgs = (field: Field) => field.args.some((a) => isNonNullType(a.type));

/**
 * The cheapest way from Query to every object type: fields without required arguments first
 * (they return data for the signed-in caller, e.g. `me`, `events`), then fields whose required
 * arguments get plausible values (usually null: nothing has that random id).
 */
function pathsFromQuery(schema: GraphQLSchema, rng: Prng, entity: string): Map<string, string[]> {
  const query = schema.getQueryType()!;
  const best = new Map<string, { cost: number; path: string[] }>([[query.name, { cost: 0, path: [] }]]);
  const queue: GraphQLObjectType[] = [query];
  while (queue.length > 0) {
    queue.sort((a, b) => best.get(a.name)!.cost - best.get(b.name)!.cost);
    const type = queue.shift()!;
    const from = best.get(type.name)!;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) || field.name.startsWith('_')) continue;
      const cost = from.cost + 1 + (hasRequiredArgs(field) ? 10 : 0);
      if ((best.get(target.name)?.cost ?? Infinity) <= cost) continue;
      const args = field.args
        .filter((a) => isNonNullType(a.type))
        .map((a) => `${a.name}: ${toLiteral(plausibleValue(a.type, rng, { entity }), a.type)}`);
      best.set(target.name, {
        cost,
        path: [...from.path, `${field.name}${args.length ? `(${args.join(', ')})` : ''} { `],
      });
      queue.push(target);
    }
  }
  return new Map([...best].map(([name, { path }]) => [name, path]));
}

/** Every field with arguments: on the root types, and on object types reachable from Query. */
export function fieldTargets(schema: GraphQLSchema, rng: Prng, entity: string): FieldTarget[] {
  const targets: FieldTarget[] = [];
  const roots: [Operation, GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  for (const [operation, root] of roots) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (field.args.length > 0) targets.push({ operation, path: [], parent: root!.name, field });
    }
  }
  const rootNames = new Set(roots.map(([, root]) => root?.name));
  for (const [typeName, path] of pathsFromQuery(schema, rng, entity)) {
    if (rootNames.has(typeName)) continue;
    const type = schema.getType(typeName) as GraphQLObjectType;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length > 0) targets.push({ operation: 'query', path, parent: typeName, field });
    }
  }
  return targets;
}

/** `{ __typename <a few leaf fields> }` for object types, nothing for leaves. */
export function selectionFor(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isInterfaceType(named) || isUnionType(named)) return '{ __typename }';
  const leaves = Object.values((named as GraphQLObjectType).getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && !hasRequiredArgs(f))
    .slice(0, 3)
    .map((f) => f.name);
  return `{ __typename ${leaves.join(' ')} }`;
}

/**
 * An operation calling `target.field` with `args`: each argument either a variable (declared
 * with its schema type) or an inline literal. Arguments not listed are left out.
 */
export function operationFor(
  target: FieldTarget,
  args: { arg: GraphQLArgument; value: unknown; inline?: boolean }[],
): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const passed = args.map(({ arg, value, inline }, i) => {
    if (inline) return `${arg.name}: ${toLiteral(value, arg.type)}`;
    variables[`v${i}`] = value;
    definitions.push(`$v${i}: ${String(arg.type)}`);
    return `${arg.name}: $v${i}`;
  });
  const call = `${target.field.name}(${passed.join(', ')}) ${selectionFor(target.field.type)}`;
  const body = `${target.path.join('')}${call}${' }'.repeat(target.path.length)}`;
  const head = `${target.operation} Hostile${definitions.length ? `(${definitions.join(', ')})` : ''}`;
  return { query: `${head} { ${body} }`, variables };
}
