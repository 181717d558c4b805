import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { sha256 } from '../sha256.js';

/** The repository's `operations/` folder (the same path from src/ and from dist/). */
export const DEFAULT_OPERATIONS_DIR = fileURLToPath(new URL('../../../operations/', import.meta.url));
export const DEFAULT_MANIFEST_PATH = join(DEFAULT_OPERATIONS_DIR, 'persisted-query-manifest.json');

export type OperationType = 'query' | 'mutation' | 'subscription';

/** One entry of Apollo's persisted query manifest; `id` is the SHA-256 hex of `body`. */
export interface PersistedOperation {
  id: string;
  name: string;
  type: OperationType;
  body: string;
}

export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: PersistedOperation[];
}

export interface OperationSource {
  /** Path relative to the operations folder, with `/` separators, e.g. `frontend/me.graphql`. */
  path: string;
  source: string;
}

/** Every `.graphql` file under `dir` (generated output excluded), sorted by path. */
export async function readOperationSources(dir = DEFAULT_OPERATIONS_DIR): Promise<OperationSource[]> {
  const entries = await readdir(dir, { recursive: true });
  const paths = entries
    .map((entry) => entry.split(sep).join('/'))
    .filter((path) => path.endsWith('.graphql') && !path.split('/').includes('generated'))
    .sort();
  return Promise.all(paths.map(async (path) => ({ path, source: await readFile(join(dir, path), 'utf8') })));
}

/** Parses the sources, keeping the file path as the source name for error messages. */
export function parseOperationSources(sources: OperationSource[], dir = DEFAULT_OPERATIONS_DIR) {
  return sources.map(({ path, source }) => ({
    location: relative(process.cwd(), join(dir, path)),
    document: parse(source),
  }));
}

/**
 * Apollo's persisted query manifest for a set of documents: one named operation per document
 * (fragments may live anywhere), each body = the operation and the fragments it uses, printed by
 * graphql-js; sorted by name, so the output depends only on the documents' meaning.
 */
export function buildManifest(
  documents: { document: DocumentNode; location?: string }[],
): PersistedQueryManifest {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: { node: OperationDefinitionNode; where: string }[] = [];
  for (const { document, location } of documents) {
    const where = location ?? 'a document';
    const found = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (found.length > 1) throw new Error(`${where}: one operation per document, found ${found.length}`);
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        if (fragments.has(definition.name.value))
          throw new Error(`${where}: fragment ${definition.name.value} is defined twice`);
        fragments.set(definition.name.value, definition);
      }
    }
    const operation = found[0];
    if (operation?.kind !== Kind.OPERATION_DEFINITION) continue;
    if (!operation.name) throw new Error(`${where}: the operation needs a name`);
    operations.push({ node: operation, where });
  }

  const seen = new Map<string, string>();
  const entries = operations.map(({ node, where }) => {
    const name = node.name!.value;
    const previous = seen.get(name);
    if (previous) throw new Error(`${where}: operation name ${name} is already used in ${previous}`);
    seen.set(name, where);
    const used = [...usedFragments(node, fragments, where)].sort();
    const body = print({
      kind: Kind.DOCUMENT,
      definitions: [node, ...used.map((fragment) => fragments.get(fragment)!)],
    });
    return { id: sha256(body), name, type: node.operation as OperationType, body };
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { format: 'apollo-persisted-query-manifest', version: 1, operations: entries };
}

/** The manifest file's exact text: two-space JSON and a final newline. */
export const formatManifest = (manifest: PersistedQueryManifest) => `${JSON.stringify(manifest, null, 2)}\n`;

function usedFragments(
  root: OperationDefinitionNode | FragmentDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  where: string,
  found = new Set<string>(),
): Set<string> {
  visit(root, {
    FragmentSpread(spread) {
      const name = spread.name.value;
      if (found.has(name)) return;
      const fragment = fragments.get(name);
      if (!fragment) throw new Error(`${where}: unknown fragment ${name}`);
      found.add(name);
      usedFragments(fragment, fragments, where, found);
    },
  });
  return found;
}
