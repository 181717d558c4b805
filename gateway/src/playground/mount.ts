import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, Response } from 'express';
import { Kind, parse } from 'graphql';
import { DEFAULT_OPERATIONS_DIR, readOperationSources } from '../manifest/manifest.js';

/** Where `npm run build` puts the bundle (the same path from src/ and from dist/). */
export const PLAYGROUND_ASSETS_DIR = fileURLToPath(new URL('../../dist/playground/', import.meta.url));
export const PLAYGROUND_PAGE = 'playground.html';
/** Served under /playground/; nothing else in the folder is. */
const ASSETS: Record<string, string> = {
  'playground.js': 'text/javascript; charset=utf-8',
  'playground.css': 'text/css; charset=utf-8',
};
const CONFIG_SLOT = '__MARQUEE_PLAYGROUND_CONFIG__';

/**
 * Everything from this origin; inline styles only because GraphiQL's dialogs and menus (Radix)
 * inject <style> elements; fonts and icons are data: URLs inside the bundled CSS. The page's
 * configuration is a JSON data block, never executed, so scripts need no 'unsafe-inline'.
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PlaygroundOptions {
  /** NODE_ENV=production: nothing is mounted. */
  production: boolean;
  /** The GraphQL path the page talks to (HTTP and graphql-ws). */
  endpoint?: string;
  assetsDir?: string;
  operationsDir?: string;
}

export interface SavedOperation {
  /** The first folder under operations/: `frontend`, `partner`. */
  group: string;
  name: string;
  type: string;
  source: string;
}

interface Mountable {
  use(path: string, handler: (req: Request, res: Response, next: NextFunction) => void): unknown;
}

/**
 * GraphiQL for developers: GET <endpoint> from a browser (it prefers text/html and sends no
 * `query`) gets the page; its bundle is served under /playground/. Call before the GraphQL
 * middleware. In production nothing is mounted, so those requests reach GraphQL as usual.
 */
export function mountPlayground(app: Mountable, options: PlaygroundOptions): void {
  if (options.production) return;
  const endpoint = options.endpoint ?? '/graphql';
  const assetsDir = options.assetsDir ?? PLAYGROUND_ASSETS_DIR;
  const operationsDir = options.operationsDir ?? DEFAULT_OPERATIONS_DIR;

  app.use('/playground', (req, res, next) => {
    const name = req.path.replace(/^\//, '');
    const type = ASSETS[name];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !type) return next();
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(join(assetsDir, name), (error) => {
      if (error && !res.headersSent) res.status(404).type('text/plain').send('Not found');
    });
  });

  app.use(endpoint, (req, res, next) => {
    if (req.method !== 'GET' || req.path !== '/' || !wantsPage(req)) return next();
    page(assetsDir, operationsDir, endpoint).then(
      (html) => {
        res.setHeader('Content-Security-Policy', PLAYGROUND_CSP);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('X-Frame-Options', 'DENY');
        res.setHeader('Referrer-Policy', 'no-referrer');
        res.setHeader('Cache-Control', 'no-store');
        res.type('text/html; charset=utf-8').send(html);
      },
      (error: NodeJS.ErrnoException) => {
        const missing = error.code === 'ENOENT';
        res
          .status(missing ? 503 : 500)
          .type('text/plain')
          .send(
            missing ? 'The playground is not built: run `npm run build`.' : 'The playground failed to load.',
          );
      },
    );
  });
}

/** A browser navigating here (HTML preferred over JSON), not a GET-encoded GraphQL request. */
function wantsPage(req: Request): boolean {
  if (req.query.query !== undefined || req.query.extensions !== undefined) return false;
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

async function page(assetsDir: string, operationsDir: string, endpoint: string): Promise<string> {
  const template = await readFile(join(assetsDir, PLAYGROUND_PAGE), 'utf8');
  const config = { endpoint, operations: await savedOperations(operationsDir) };
  // A JSON data block: escape what could close the <script> element.
  const json = JSON.stringify(config)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return template.replace(CONFIG_SLOT, () => json);
}

/** The documents under operations/ as they are written (comments kept), grouped by folder. */
export async function savedOperations(operationsDir = DEFAULT_OPERATIONS_DIR): Promise<SavedOperation[]> {
  const sources = await readOperationSources(operationsDir).catch(() => []);
  return sources.flatMap(({ path, source }) => {
    const group = path.includes('/') ? path.slice(0, path.indexOf('/')) : 'operations';
    try {
      const operation = parse(source).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (operation?.kind !== Kind.OPERATION_DEFINITION) return [];
      return [{ group, name: operation.name?.value ?? path, type: operation.operation, source }];
    } catch {
      return [{ group, name: path, type: 'invalid', source }];
    }
  });
}
