import swc from 'unplugin-swc';
import { createRequire } from 'node:module';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const conditions = ['@marquee/source', ...defaultServerConditions.filter((c) => c !== 'module')];

/**
 * Every workspace tests with the same setup: SWC for decorator metadata (esbuild emits none),
 * and the `@marquee/source` condition so workspace packages resolve to their TypeScript source.
 */
export function marqueeTestConfig(
  options: { include?: string[]; globalSetup?: string[]; testTimeout?: number } = {},
) {
  return defineConfig({
    plugins: [
      swc.vite({
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
          keepClassNames: true,
        },
      }),
    ],
    // graphql ships CJS (`main`) and ESM (`module`) side by side without an exports map. Node,
    // and so every @apollo/* package, loads the CJS one; vite would hand our source the .mjs one,
    // and two copies of graphql refuse each other's schemas. Pin ours to the CJS entry.
    resolve: { conditions, alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
    ssr: { resolve: { conditions } },
    // globalSetup files are loaded in this environment.
    environments: { __vitest__: { resolve: { conditions } } },
    test: {
      // bench/: a subgraph's own benchmark and offline evaluation, tested but not shipped.
      include: options.include ?? ['src/**/*.spec.ts', 'test/**/*.spec.ts', 'bench/**/*.spec.ts'],
      globalSetup: options.globalSetup ?? [],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 60_000,
      // Our workspace packages are TypeScript source: run them through Vite, not Node.
      server: { deps: { inline: [/@marquee\//] } },
      pool: 'forks',
      fileParallelism: true,
      maxWorkers: 2,
    },
  });
}
