import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Vite writes content-hashed bundles here: a new build gets new names, so they may be cached for a year. */
const HASHED_ASSETS = `assets${sep}`;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The entry point names the current bundles, so it must never be served from a cache. */
const NEVER_STORE = 'no-store';
const REVALIDATE = 'no-cache';

/** Paths the API process answers itself; the app shell never stands in for them. */
const SERVER_PATHS = /^\/(api|docs)(\/|-json|$|\?)/;
/** A last path segment with an extension names a file: a missing one is a 404, never the HTML shell. */
const FILE_LIKE = /\/[^/?]*\.[^/?]*(\?|$)/;

/**
 * The built web app (web/dist) next to this process' package.json, found by walking up from here
 * because the code runs both from src/ (tests) and from dist/src/ (npm start).
 */
export function defaultWebRoot(): string {
  let directory = __dirname;
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) directory = dirname(directory);
  return join(directory, 'web', 'dist');
}

function cacheControlFor(root: string, file: string): string {
  const path = relative(root, file);
  if (path.startsWith(HASHED_ASSETS)) return IMMUTABLE;
  if (path === 'index.html') return NEVER_STORE;
  return REVALIDATE;
}

/**
 * Serves the web app at / from `root`: its files, and index.html for every other GET outside
 * /api and /docs so deep links (/cases/:id, /referrals/:id) open the app, which routes them.
 * Without a built app (API-only deployments, most tests) nothing is registered and / is a 404.
 */
export async function registerAppShell(fastify: FastifyInstance, root: string): Promise<boolean> {
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) return false;
  // Read once: the shell changes only with a new build, which comes with a restart.
  const indexHtml = readFileSync(indexFile);
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    // Routes for the files present at start-up only, so the fallback below owns every other path.
    wildcard: false,
    index: false,
    cacheControl: false,
    dotfiles: 'deny',
    setHeaders: (reply, file) => {
      reply.header('cache-control', cacheControlFor(root, file));
    },
  });
  const fallback = (request: FastifyRequest, reply: FastifyReply): FastifyReply | void => {
    if (SERVER_PATHS.test(request.url) || FILE_LIKE.test(request.url)) return reply.callNotFound();
    return reply.header('cache-control', NEVER_STORE).type('text/html; charset=utf-8').send(indexHtml);
  };
  fastify.get('/', fallback);
  fastify.get('/*', fallback);
  return true;
}
