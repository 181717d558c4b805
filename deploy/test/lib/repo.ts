import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDocument, parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const readRepoFile = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
export const repoPathExists = (path: string) => existsSync(join(repoRoot, path));
export const listRepoDir = (path: string) => readdirSync(join(repoRoot, path));

/**
 * Every document of a YAML file as Compose and kubectl see it: anchors expanded and `<<` merge
 * keys resolved. Empty documents (a trailing `---`) are dropped; a syntax error throws.
 */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  const parsed = parseAllDocuments(text, { merge: true });
  const documents = Array.isArray(parsed) ? parsed : [];
  const values: unknown[] = [];
  for (const document of documents) {
    if (!isDocument(document)) continue;
    if (document.errors.length > 0) {
      throw new Error(`${source}: ${document.errors.map((e) => e.message).join('; ')}`);
    }
    const value: unknown = document.toJS({ maxAliasCount: -1 });
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

export function readYaml(path: string): unknown {
  const [first] = parseYamlDocuments(readRepoFile(path), path);
  return first;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value.a.b[0]` without a chain of guards; undefined when any step is missing. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = isObject(current) ? current[step] : undefined;
  }
  return current;
}

export const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
export const asObject = (value: unknown): JsonObject => (isObject(value) ? value : {});
