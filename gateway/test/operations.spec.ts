import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { apiSchemaSdl } from '../src/manifest/api-schema.js';
import {
  buildManifest,
  DEFAULT_MANIFEST_PATH,
  DEFAULT_OPERATIONS_DIR,
  formatManifest,
  parseOperationSources,
  readOperationSources,
  type PersistedQueryManifest,
} from '../src/manifest/manifest.js';
import { sha256 } from '../src/sha256.js';

const SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
const committed = () => readFileSync(DEFAULT_MANIFEST_PATH, 'utf8');
const documents = async () => parseOperationSources(await readOperationSources());

describe('the persisted operations manifest', () => {
  it('is what the operations/ folder produces (run `npm run codegen` when this fails)', async () => {
    expect(committed()).toBe(formatManifest(buildManifest(await documents())));
  });

  it("is Apollo's format: ids are the SHA-256 of the bodies, names are unique and sorted", () => {
    const manifest = JSON.parse(committed()) as PersistedQueryManifest;
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    expect(manifest.operations.length).toBeGreaterThan(0);
    for (const operation of manifest.operations) {
      expect(Object.keys(operation)).toEqual(['id', 'name', 'type', 'body']);
      expect(operation.id).toBe(sha256(operation.body));
      const [definition] = parse(operation.body).definitions;
      expect(definition?.kind === Kind.OPERATION_DEFINITION && definition.name?.value).toBe(operation.name);
      expect(definition?.kind === Kind.OPERATION_DEFINITION && definition.operation).toBe(operation.type);
    }
    const names = manifest.operations.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...names].sort());
  });

  it("validates every operation against the gateway's API schema", async () => {
    const schema = buildSchema(apiSchemaSdl(readFileSync(SUPERGRAPH_PATH, 'utf8')));
    const manifest = JSON.parse(committed()) as PersistedQueryManifest;
    for (const operation of manifest.operations) {
      expect({ name: operation.name, errors: validate(schema, parse(operation.body)).map(String) }).toEqual({
        name: operation.name,
        errors: [],
      });
    }
  });

  it('gives partners read-only operations and the subscription', async () => {
    const partner = (await documents()).filter((d) => d.location.includes(join('operations', 'partner')));
    const types = buildManifest(partner).operations.map((o) => o.type);
    expect(types).toContain('subscription');
    expect(types).not.toContain('mutation');
  });

  it('embeds each id in the typed client documents (operations/generated)', () => {
    const generated = readFileSync(join(DEFAULT_OPERATIONS_DIR, 'generated', 'graphql.ts'), 'utf8');
    const embedded = new Map(
      [...generated.matchAll(/export const (\w+)Document = \{"__meta__":\{"hash":"([0-9a-f]{64})"\}/g)].map(
        (m) => [m[1], m[2]],
      ),
    );
    const manifest = JSON.parse(committed()) as PersistedQueryManifest;
    expect(Object.fromEntries(embedded)).toEqual(
      Object.fromEntries(manifest.operations.map((o) => [o.name, o.id])),
    );
  });
});

describe('buildManifest', () => {
  const doc = (source: string, location = 'test.graphql') => ({ document: parse(source), location });

  it('includes the fragments an operation uses, sorted, and sorts operations by name', () => {
    const manifest = buildManifest([
      doc('query B { me { ...U } }'),
      doc('fragment U on User { id ...N } fragment N on User { name } fragment Unused on User { id }'),
      doc('mutation A { signOut(refreshToken: "x") }'),
    ]);
    expect(manifest.operations.map((o) => [o.name, o.type])).toEqual([
      ['A', 'mutation'],
      ['B', 'query'],
    ]);
    expect(manifest.operations[1]!.body).toBe(
      'query B {\n  me {\n    ...U\n  }\n}\n\nfragment N on User {\n  name\n}\n\nfragment U on User {\n  id\n  ...N\n}',
    );
  });

  it('is independent of formatting and comments', () => {
    const a = buildManifest([doc('# hi\nquery Q { me { id } }')]);
    const b = buildManifest([doc('query Q {\n\n  me {   id }\n}\n')]);
    expect(a).toEqual(b);
  });

  it('refuses duplicate names, anonymous operations and two operations in one document', () => {
    expect(() =>
      buildManifest([doc('query Q { me { id } }', 'a.graphql'), doc('query Q { me { name } }', 'b.graphql')]),
    ).toThrow('b.graphql: operation name Q is already used in a.graphql');
    expect(() => buildManifest([doc('{ me { id } }')])).toThrow('needs a name');
    expect(() => buildManifest([doc('query A { me { id } } query B { me { id } }')])).toThrow(
      'one operation per document',
    );
  });
});
