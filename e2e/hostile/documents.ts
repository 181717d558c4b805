import {
  getNamedType,
  isNonNullType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { Prng } from './prng.js';

export interface HostileDocument {
  category: string;
  label: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: unknown;
}

const repeat = (n: number, make: (i: number) => string, sep = ' ') =>
  Array.from({ length: n }, (_, i) => make(i)).join(sep);

/** A root field without required arguments that returns an object, e.g. `events`, `me`. */
function plainObjectField(schema: GraphQLSchema): { name: string; type: GraphQLObjectType } | undefined {
  for (const field of Object.values(schema.getQueryType()!.getFields())) {
    const type = getNamedType(field.type);
    if (!field.name.startsWith('_') && isObjectType(type) && !field.args.some((a) => isNonNullType(a.type)))
      return { name: field.name, type };
  }
  return undefined;
}

/** A selection as deep as the schema allows (up to `depth`), by a random walk over object fields. */
function schemaWalk(schema: GraphQLSchema, rng: Prng, depth: number): string {
  let type: GraphQLObjectType = schema.getQueryType()!;
  const opened: string[] = [];
  for (let level = 0; level < depth; level++) {
    const fields = Object.values(type.getFields()).filter(
      (f) =>
        isObjectType(getNamedType(f.type)) &&
        !f.name.startsWith('_') &&
        !f.args.some((a) => isNonNullType(a.type)),
    );
    if (fields.length === 0) break;
    const field = rng.pick(fields);
    opened.push(`${rng.chance(0.3) ? `${rng.word(4)}: ` : ''}${field.name} {`);
    type = getNamedType(field.type) as GraphQLObjectType;
  }
  return `query Walk { ${opened.join(' ')} __typename ${' }'.repeat(opened.length)} }`;
}

export function depthBombs(schema: GraphQLSchema, rng: Prng): HostileDocument[] {
  const docs: HostileDocument[] = [];
  for (const depth of [13, 40, 200, 2_000, 30_000]) {
    docs.push({
      category: 'depth bomb',
      label: `nested braces x${depth}`,
      query: `query { ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }`,
    });
  }
  for (const depth of [13, 20, 60, 300]) {
    for (let i = 0; i < 2; i++)
      docs.push({
        category: 'depth bomb',
        label: `schema walk ${depth}`,
        query: schemaWalk(schema, rng, depth),
      });
  }
  docs.push({
    category: 'depth bomb',
    label: 'introspection ofType chain',
    query: `{ __schema { types { fields { type ${'{ ofType '.repeat(60)}{ name }${' }'.repeat(60)} } } } }`,
  });
  return docs;
}

export function aliasBombs(schema: GraphQLSchema): HostileDocument[] {
  const docs: HostileDocument[] = [];
  for (const n of [21, 300, 5_000, 40_000]) {
    docs.push({
      category: 'alias bomb',
      label: `__typename x${n}`,
      query: `{ ${repeat(n, (i) => `a${i}: __typename`)} }`,
    });
  }
  docs.push({
    category: 'alias bomb',
    label: 'one alias x3000',
    query: `{ ${repeat(3_000, () => 'x: __typename')} }`,
  });
  const field = plainObjectField(schema);
  if (field) {
    for (const n of [21, 60]) {
      docs.push({
        category: 'alias bomb',
        label: `${field.name} x${n}`,
        query: `{ ${repeat(n, (i) => `a${i}: ${field.name} { __typename }`)} }`,
      });
    }
    docs.push({
      category: 'alias bomb',
      label: `${field.name} conflicting aliases`,
      query: `{ ${repeat(500, (i) => `x: ${i % 2 ? field.name + ' { __typename }' : '__typename'}`)} }`,
    });
  }
  return docs;
}

export function fragmentBombs(): HostileDocument[] {
  const docs: HostileDocument[] = [];
  for (const levels of [8, 16, 30]) {
    const fragments = repeat(
      levels,
      (i) => `fragment F${i} on Query { __typename ...F${i + 1} ...F${i + 1} }`,
      '\n',
    );
    docs.push({
      category: 'fragment bomb',
      label: `doubling chain ${levels}`,
      query: `query { ...F0 }\n${fragments}\nfragment F${levels} on Query { __typename }`,
    });
  }
  for (const levels of [6, 12]) {
    const fragments = repeat(
      levels,
      (i) => `fragment F${i} on Query { ${repeat(5, (j) => `a${j}: __typename ...F${i + 1}`)} }`,
      '\n',
    );
    docs.push({
      category: 'fragment bomb',
      label: `fan-out x5 chain ${levels}`,
      query: `query { ...F0 }\n${fragments}\nfragment F${levels} on Query { __typename }`,
    });
  }
  docs.push({
    category: 'fragment bomb',
    label: 'one spread x20000',
    query: `query { ${repeat(20_000, () => '...F')} } fragment F on Query { __typename }`,
  });
  docs.push({
    category: 'fragment bomb',
    label: '3000 unused fragments',
    query: `query { __typename } ${repeat(3_000, (i) => `fragment U${i} on Query { __typename }`)}`,
  });
  docs.push({
    category: 'fragment bomb',
    label: 'inline fragments x10000',
    query: `query { ${repeat(10_000, () => '... on Query { __typename }')} }`,
  });
  return docs;
}

export function cyclicFragments(schema: GraphQLSchema): HostileDocument[] {
  const object = plainObjectField(schema);
  const docs: HostileDocument[] = [
    { label: 'self', query: 'query { ...A } fragment A on Query { __typename ...A }' },
    {
      label: 'pair',
      query: 'query { ...A } fragment A on Query { ...B } fragment B on Query { __typename ...A }',
    },
    {
      label: 'ring of 60',
      query: `query { ...R0 } ${repeat(60, (i) => `fragment R${i} on Query { __typename ...R${(i + 1) % 60} }`)}`,
    },
    { label: 'unknown spread', query: 'query { ...Nope }' },
    { label: 'cycle, no operation', query: 'fragment A on Query { ...A }' },
    {
      label: 'cycle inside inline fragment',
      query: 'query { ... on Query { ...A } } fragment A on Query { ... on Query { ...A } }',
    },
  ].map((d) => ({ ...d, category: 'cyclic fragments' }));
  if (object) {
    const t = object.type.name;
    docs.push({
      category: 'cyclic fragments',
      label: `cycle through ${object.name}`,
      query: `query { ${object.name} { ...A } } fragment A on ${t} { __typename ...B } fragment B on ${t} { ...A }`,
    });
  }
  return docs;
}

export function directiveFloods(): HostileDocument[] {
  const docs: HostileDocument[] = [];
  for (const n of [26, 1_000, 30_000]) {
    docs.push({
      category: 'directive flood',
      label: `@skip x${n}`,
      query: `{ __typename ${repeat(n, () => '@skip(if: false)')} }`,
    });
    docs.push({
      category: 'directive flood',
      label: `@include on ${n} fields`,
      query: `{ ${repeat(n, (i) => `a${i}: __typename @include(if: true)`)} }`,
    });
    docs.push({
      category: 'directive flood',
      label: `unknown x${n}`,
      query: `{ __typename ${repeat(n, (i) => `@d${i}`)} }`,
    });
  }
  docs.push(
    {
      category: 'directive flood',
      label: 'directive with 2000 arguments',
      query: `{ __typename @skip(${repeat(2_000, (i) => `a${i}: ${i}`, ', ')}) }`,
    },
    { category: 'directive flood', label: 'on the operation', query: 'query @skip(if: true) { __typename }' },
    {
      category: 'directive flood',
      label: 'wrong location',
      query: '{ __typename @deprecated(reason: "x") }',
    },
    {
      category: 'directive flood',
      label: 'variable of the wrong type',
      query: 'query($b: String) { __typename @skip(if: $b) }',
      variables: { b: 'yes' },
    },
  );
  return docs;
}

/** Documents that are not documents, or not the kind expected. */
export function oddDocuments(): HostileDocument[] {
  const odd: [string, string, unknown?][] = [
    ['empty', ''],
    ['whitespace', ' \n\t '],
    ['open brace', '{'],
    ['close braces', '}}}}'],
    ['NUL in source', '{ __typename \u0000 }'],
    ['bad unicode escape', '{ __type(name: "\\uZZZZ") { name } }'],
    ['900 KB comment', `# ${'x'.repeat(900_000)}\n{ __typename }`],
    ['400 KB block string', `{ __type(name: """${'y'.repeat(400_000)}""") { name } }`],
    ['1000 operations, none named', repeat(1_000, () => '{ __typename }')],
    ['unknown operationName', 'query A { __typename }', 'B'],
    ['operationName object', 'query A { __typename }', { a: 1 }],
    ['two operations, no name', 'query A { __typename } query B { __typename }'],
    ['unknown field', '{ nope }'],
    ['huge __type name', `{ __type(name: "${'T'.repeat(100_000)}") { name } }`],
    ['variables never declared', '{ __typename(a: $x) }'],
    ['variable of an output type', 'query($x: Query) { __typename }'],
    ['5000 variable definitions', `query(${repeat(5_000, (i) => `$v${i}: Int`, ', ')}) { __typename }`],
    ['emoji identifiers', '{ 🎟️ }'],
    ['number as field', '{ 123 }'],
    ['subscription over HTTP', 'subscription { __typename }'],
  ];
  return odd.map(([label, query, operationName]) => ({
    category: 'odd documents',
    label,
    query,
    ...(operationName !== undefined ? { operationName } : {}),
  }));
}
