// Job dashboard: a static single-page app (plain ES modules + CSS, no build step) served by the API's Fastify
// server. S registers it with `app.register(dashboardPlugin, { prefix: '/dashboard' })`.
// The page talks only to the public REST API (/v1/...), so it needs no server state of its own.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface DashboardOptions {
  /** Directory with index.html, app.css and js/; defaults to src/dashboard/public next to this file. */
  publicDir?: string;
}

/** Locates the static assets both when run from src/ (tsx) and from a compiled dist/ tree. */
export function dashboardPublicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'public'),
    // dist/src/dashboard -> <repo>/src/dashboard/public (tsc does not copy non-TS files)
    path.resolve(here, '../../../src/dashboard/public'),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (!found) throw new Error(`dashboard assets not found; looked in: ${candidates.join(', ')}`);
  return found;
}

export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (app, opts) => {
  const root = opts.publicDir ?? dashboardPublicDir();
  const indexHtml = await readFile(path.join(root, 'index.html'));

  // The SPA uses relative asset URLs, so '/dashboard' must become '/dashboard/' before the page loads.
  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    const [pathname, query] = req.url.split('?', 2);
    if (!pathname.endsWith('/')) {
      return reply.redirect(`${pathname}/${query !== undefined ? `?${query}` : ''}`, 301);
    }
    return reply
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(indexHtml);
  });

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    // Another @fastify/static registration elsewhere in the app must not clash with ours.
    decorateReply: false,
    // Assets are small; always revalidate so a redeploy is picked up at once (ETag keeps it cheap).
    cacheControl: true,
    maxAge: 0,
    etag: true,
    schemaHide: true,
  });
};

export default dashboardPlugin;
