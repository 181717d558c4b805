import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Kind,
  parse,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { CASES } from './authorization/cases/index.js';
import { registered } from './authorization/client.js';
import { MATRIX, matrixMarkdown } from './authorization/matrix.js';

/** Root queries anyone may run: they only show public data (private fields of them are rows). */
const PUBLIC_QUERIES = ['events', 'venue', 'user', 'trendingEvents'];

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
const supergraph = parse(read('../gateway/supergraph.graphql'));
const rootFields = (type: 'Query' | 'Mutation') => {
  const definition = supergraph.definitions.find(
    (d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === type,
  )!;
  return (definition.fields ?? []).map((field: FieldDefinitionNode) => {
    const join = field.directives?.find((d) => d.name.value === 'join__field');
    const graph = join?.arguments?.find((a) => a.name.value === 'graph')?.value;
    return {
      name: field.name.value,
      owner: graph?.kind === Kind.ENUM ? graph.value.toLowerCase() : undefined,
    };
  });
};

describe('the authorisation matrix', () => {
  it('is the table in README.md', () => {
    const section = read('../README.md').split('\n## Authorisation matrix\n')[1];
    expect(section, 'README.md has no "## Authorisation matrix" section').toBeDefined();
    const lines = section!.split('\n');
    const start = lines.findIndex((line) => line.startsWith('|'));
    const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
    expect(lines.slice(start, end).join('\n')).toBe(matrixMarkdown());
  });

  it('has every mutation of the API, at the subgraph that resolves it', () => {
    const mutations = rootFields('Mutation');
    const rows = MATRIX.filter((r) => r.kind === 'mutation');
    expect(rows.map((r) => r.operation).sort()).toEqual(mutations.map((m) => m.name).sort());
    for (const row of rows) expect(row.owner).toBe(mutations.find((m) => m.name === row.operation)!.owner);
  });

  it('has every query that is not public, at the subgraph that resolves it', () => {
    const queries = rootFields('Query').filter((q) => !PUBLIC_QUERIES.includes(q.name));
    const rows = MATRIX.filter((r) => r.kind === 'query');
    expect(rows.map((r) => r.operation).sort()).toEqual(queries.map((q) => q.name).sort());
    for (const row of rows) expect(row.owner).toBe(queries.find((q) => q.name === row.operation)!.owner);
  });

  it('runs registered operations that start at their row, and can run every row', () => {
    for (const row of MATRIX) {
      expect(CASES[row.operation], `a case for ${row.operation}`).toBeDefined();
      if (!row.registered) {
        expect(CASES[row.operation]!.document, `${row.operation} needs a document`).toBeDefined();
        continue;
      }
      const operation = parse(registered(row.registered).body).definitions[0] as OperationDefinitionNode;
      const first = operation.selectionSet.selections[0]!;
      expect(first.kind === Kind.FIELD && first.name.value).toBe(row.operation);
    }
    expect(Object.keys(CASES).sort()).toEqual(MATRIX.map((r) => r.operation).sort());
  });

  it('refuses every direct call, and every document a partner sends instead of an id', () => {
    for (const row of MATRIX) {
      expect(row.expected.direct).toBe('UNAUTHENTICATED');
      if (!row.registered) expect(row.expected.partner).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    }
  });
});
