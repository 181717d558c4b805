import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { composeSupergraph, readSupergraphConfig } from './compose.js';

/**
 * `npm run compose`: regenerate every subgraph's schema.graphql and gateway/supergraph.graphql.
 * `--check`: write nothing, exit 1 if any of those files is stale (CI runs this).
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const configPath = resolve(repoRoot, 'supergraph.yaml');
const supergraphPath = resolve(repoRoot, 'gateway/supergraph.graphql');
const check = process.argv.includes('--check');

const entries = readSupergraphConfig(configPath);
const { supergraphSdl, subgraphSdls } = await composeSupergraph(entries);
const outputs = new Map<string, string>([[supergraphPath, supergraphSdl]]);
for (const entry of entries) outputs.set(entry.schemaFile, subgraphSdls.get(entry.name)!);

const stale = [...outputs].filter(
  ([path, content]) => !existsSync(path) || readFileSync(path, 'utf8') !== content,
);
if (check) {
  if (stale.length > 0) {
    console.error(
      `Stale generated schema files (run \`npm run compose\`):\n${stale.map(([p]) => `  ${p}`).join('\n')}`,
    );
    process.exit(1);
  }
  console.log('Supergraph and subgraph schema files are up to date.');
} else {
  for (const [path, content] of stale) writeFileSync(path, content);
  console.log(
    `Composed ${entries.length} subgraphs into ${supergraphPath} (${stale.length} file(s) updated).`,
  );
}
