import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { PLAYGROUND_ASSETS_DIR, PLAYGROUND_PAGE } from './mount.js';

/** The browser app's source (type-checked by its own tsconfig, bundled only by esbuild). */
const APP_DIR = fileURLToPath(new URL('../../src/playground/app/', import.meta.url));

/**
 * Bundles GraphiQL and our app into `outdir`: playground.js, playground.css (fonts and icons
 * inlined as data: URLs) and the page template playground.html. Nothing is loaded from a CDN.
 * Run by the gateway's `npm run build` after SWC: `node dist/playground/build.js`.
 */
export async function bundlePlayground(outdir = PLAYGROUND_ASSETS_DIR): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { playground: join(APP_DIR, 'app.tsx') },
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    minify: true,
    legalComments: 'eof',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  await copyFile(join(APP_DIR, 'index.html'), join(outdir, PLAYGROUND_PAGE));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bundlePlayground();
}
