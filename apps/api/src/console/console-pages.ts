import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { isId } from '@keywarden/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleConfig } from '../config/api-config';

/** apps/api/dist → apps/console/dist */
const DEFAULT_CONSOLE_DIR = resolve(__dirname, '..', '..', '..', 'console', 'dist');

/**
 * No inline script or style, nothing from elsewhere except images (https logos),
 * and API calls to this origin only.
 */
export function contentSecurityPolicy(frameAncestors: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, frameAncestors: string[]): void {
  reply.header('content-security-policy', contentSecurityPolicy(frameAncestors));
  // X-Frame-Options cannot list origins: only when nobody may frame the page.
  if (frameAncestors.length === 0) reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}

/** The origins an app lets frame its portal pages. */
export type EmbedOriginsOf = (appId: string) => Promise<string[]>;

/** `/portal/<app id>/…` names the app whose embed origins may frame the page; `/portal/…` names none. */
export function portalAppOf(url: string): string | null {
  const segment = url.split(/[?#]/)[0].split('/')[2];
  return isId('app', segment) ? segment : null;
}

export function consoleDir(config: ConsoleConfig): string {
  return config.staticDir ?? DEFAULT_CONSOLE_DIR;
}

/**
 * Serves the built console at /console (index.html) and the customer portal at /portal
 * (portal.html). Every page path answers its entry page, so deep links and reloads work.
 * Console pages refuse every frame; a portal page under `/portal/<app id>` may be framed by
 * that app's `portal.allowedEmbedOrigins`, any other by nobody. Returns false when the
 * console has not been built.
 */
export async function registerConsolePages(fastify: FastifyInstance, config: ConsoleConfig, embedOriginsOf: EmbedOriginsOf): Promise<boolean> {
  const root = consoleDir(config);
  if (!existsSync(join(root, 'index.html'))) return false;
  await fastify.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/console/assets/',
    index: false,
    // File names carry a content hash.
    immutable: true,
    maxAge: '365d',
    setHeaders: (response) => {
      response.header('x-content-type-options', 'nosniff');
    },
  });
  const page = (file: string, frameAncestorsOf: (request: FastifyRequest) => Promise<string[]>) => async (request: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply, await frameAncestorsOf(request));
    reply.header('cache-control', 'no-store');
    return reply.sendFile(file, root, { cacheControl: false });
  };
  const consolePage = page('index.html', async () => []);
  for (const url of ['/console', '/console/', '/console/*']) fastify.get(url, consolePage);
  const portalPage = page('portal.html', async (request) => {
    const appId = portalAppOf(request.url);
    return appId === null ? [] : embedOriginsOf(appId);
  });
  for (const url of ['/portal', '/portal/', '/portal/*']) fastify.get(url, portalPage);
  return true;
}
